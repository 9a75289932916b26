"""Build the Application: every handler, the error handler, rate limits and the command menu, in one place."""

from __future__ import annotations

import logging
from contextlib import suppress

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.config import BotConfig
from bot.context import BotContext, Services
from bot.handlers import ask, callbacks, inline, start
from bot.handlers.admin import register_admin_handlers
from bot.ratelimit import SlidingWindowLimiter
from bot.replies import ERROR_MESSAGE
from bot.state import BotState
from index.library import Library

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("hoi", "Hỏi về văn kiện, ví dụ: /hoi Quy định 22-QĐ/TW nói về gì?"),
    BotCommand("tailieu", "Danh sách văn bản đã nạp"),
    BotCommand("help", "Cách hỏi và ví dụ"),
]
ALLOWED_UPDATES = [Update.MESSAGE, Update.CHANNEL_POST, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
INLINE_ALLOWANCE = 4  # inline queries arrive as the user types: allow this many times the question rate


def build_application(config: BotConfig, library: Library, state: BotState) -> Application:
    """The bot, ready for `run_polling`/`run_webhook` (or, in tests, to be entered and started by hand)."""
    application = (
        ApplicationBuilder()
        .token(config.require_token())
        .base_url(config.base_url)
        .base_file_url(config.base_file_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(allow_sending_without_reply=True))  # the question may be deleted before we answer
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(True)  # one user's search never holds up another's
        .post_init(register_commands)
        .build()
    )
    Services(
        config, library, state,
        questions=SlidingWindowLimiter(config.questions_per_window, config.window_seconds),
        inline=SlidingWindowLimiter(config.questions_per_window * INLINE_ALLOWANCE, config.window_seconds),
    ).attach(application)

    new = filters.UpdateType.MESSAGE  # an edited question is not asked again
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    application.add_handlers([
        CommandHandler("start", start.start, filters=new),
        CommandHandler("help", start.help_command, filters=new),
        CommandHandler("tailieu", start.documents, filters=new),
        CommandHandler(["hoi", "ask"], ask.ask_command, filters=new),
        MessageHandler(new & private & filters.TEXT & ~filters.COMMAND, ask.private_text),
        MessageHandler(new & private & filters.COMMAND, start.unknown_command),
        MessageHandler(
            new & groups & filters.TEXT & ~filters.COMMAND & (filters.Entity("mention") | filters.REPLY), ask.group_text
        ),
        CallbackQueryHandler(callbacks.button),
        InlineQueryHandler(inline.inline_query),
    ])
    register_admin_handlers(application, config.index.data_dir)
    application.add_error_handler(report_error)
    return application


async def register_commands(application: Application) -> None:
    """post_init: the command menu users see next to the text field."""
    await application.bot.set_my_commands(COMMANDS)


async def report_error(update: object, context: BotContext) -> None:
    """Log the failure (the log formatter hides the token) and tell the user something went wrong."""
    log.error("Lỗi khi xử lý một cập nhật", exc_info=context.error)
    if not isinstance(update, Update):
        return
    with suppress(TelegramError):
        if update.callback_query:
            await update.callback_query.answer(ERROR_MESSAGE, show_alert=True)
        elif update.effective_message:
            await update.effective_message.reply_text(ERROR_MESSAGE)


def run(config: BotConfig, library: Library, state: BotState) -> None:
    """Serve until stopped: a webhook when VANKIEN_WEBHOOK_URL is set, long polling otherwise.

    Pending updates are never dropped: questions asked while the bot was down still get answers.
    """
    application = build_application(config, library, state)
    if config.webhook_url:
        log.info("Chế độ webhook: nghe ở %s:%d/%s", config.webhook_listen, config.webhook_port, config.webhook_path)
        application.run_webhook(
            listen=config.webhook_listen,
            port=config.webhook_port,
            url_path=config.webhook_path,
            webhook_url=config.webhook_url,
            secret_token=config.secret_token,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
    else:
        log.info("Chế độ long polling qua %s", config.api_root)
        application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
