"""Build the Application: every handler, the error handler, rate limits, the command menu, start and stop, in one place."""

from __future__ import annotations

import logging
from contextlib import suppress

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.broadcast import Broadcaster
from bot.config import BotConfig
from bot.context import BotContext, Services
from bot.membership import Membership
from bot.handlers import access, admin, announce, ask, callbacks, inline, start
from bot.replies import ERROR_MESSAGE
from bot.state import BotState
from bot.storage import INLINE, QUESTIONS, open_admin_store, open_audit, open_limiter, shared_database
from index.library import Library

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("hoi", "Hỏi về văn kiện, ví dụ: /hoi Quy định 22-QĐ/TW nói về gì?"),
    BotCommand("tailieu", "Danh sách văn bản đã nạp"),
    BotCommand("help", "Cách hỏi và ví dụ"),
]
ALLOWED_UPDATES = [Update.MESSAGE, Update.CHANNEL_POST, Update.CALLBACK_QUERY, Update.INLINE_QUERY, Update.CHAT_MEMBER]
INLINE_ALLOWANCE = 4  # inline queries arrive as the user types: allow this many times the question rate


def build_application(config: BotConfig, library: Library, state: BotState) -> Application:
    """The bot, ready for `run_polling`/`run_webhook` (or, in tests, to be entered and started by hand).

    It opens the admin store and the audit trail (files in the data dir, or PostgreSQL: bot/storage.py) and
    closes them in post_shutdown; `library` and `state` (bot/storage.py's open_state) stay the caller's.
    """
    application = (
        ApplicationBuilder()
        .token(config.require_token())
        .base_url(config.base_url)
        .base_file_url(config.base_file_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(allow_sending_without_reply=True))  # the question may be deleted before we answer
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(True)  # one user's search never holds up another's
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    admin_store = open_admin_store(config)
    Services(
        config, library, state,
        questions=open_limiter(config, state, QUESTIONS, config.questions_per_window),
        inline=open_limiter(config, state, INLINE, config.questions_per_window * INLINE_ALLOWANCE),
        admin_store=admin_store,
        broadcaster=Broadcaster(admin_store, application),
        membership=(Membership(config, (), is_granted=state.is_granted) if shared_database(config)
                    else Membership(config, [grant.user_id for grant in state.grants()])),
        audit=open_audit(config),
    ).attach(application)
    application.add_handlers(handlers(config))
    application.add_error_handler(report_error)
    return application


def handlers(config: BotConfig) -> list[BaseHandler]:
    """Every handler, in the order PTB tries them: the first whose filters match an update handles it, alone.

    Admin commands come before the members' catch-alls (any button, any unknown command), so a member
    sending /xoa is refused rather than told the command does not exist.
    """
    return [
        *admin.handlers(config.admin_ids),
        *access.handlers(),
        *announce.handlers(),
        *start.handlers(),
        *ask.handlers(),
        *callbacks.handlers(),
        *inline.handlers(),
        MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.COMMAND, start.unknown_command),
    ]


async def post_init(application: Application) -> None:
    """Before polling or the webhook starts: the command menu users see, then any broadcast a restart interrupted;
    with other processes on the same database, also what one of them left when it died (looked for every few seconds)."""
    await application.bot.set_my_commands(COMMANDS)
    services = Services.of(application)
    services.broadcaster.resume()
    if shared_database(services.config):
        services.broadcaster.look_every()


async def post_shutdown(application: Application) -> None:
    """Once the last update and delivery are done (Application.stop waits for them): close the admin store and the
    audit trail."""
    services = Services.of(application)
    services.broadcaster.cancel_resume()
    services.admin_store.close()
    services.audit.close()


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
