"""The words of a question that say what it is about, and where a passage says them.

Shown passages underline the question's content words as whole words and phrases: a question with "quy
định" underlines "quy định", never "định" inside "xác định" nor "Quy" alone. A phrase is a run of content
words the question has side by side; a passage's words are underlined where they repeat two or more words
of such a run in the same order, or a run of a single word (a number inside a code is not underlined alone).
"""

from __future__ import annotations

import unicodedata

from index.sentences import sentence_spans
from index.vietnamese import fold_word, has_diacritics, normalize_tones, syllables, word_spans

# Function and question words: they say how a question is asked, not what it is about. A question typed
# with diacritics is matched with them, so "cơ sở", "vi phạm", "thi hành", "đề nghị", "báo cáo", "tài liệu"
# keep every word; typed without, only the folded forms are left ("co" may be "có").
FUNCTION_WORDS = frozenset(
    """là gì có không của và các những được cho về trong với nào bao nhiêu mấy thế như đã để này đó ai ở tại
    theo từ một thì mà hay hoặc sao vì khi nói làm gồm chứ ừ ư à nhé ơi ra vào lên xuống người""".split()
)
# Words of chat and of asking, function words only as typed with their diacritics: folded, they are other
# words too ("toi" is also "tới" and "tối", "minh" is "minh bạch", "phai" is "phai nhạt").
CHAT_WORDS = frozenset(
    """tôi mình em anh chị ông bà cụ bác bố mẹ bạn ạ ơi nhé nhỉ vậy thế hả dạ vâng hỏi muốn cần biết giúp gọi
    phải lâu xin rồi nữa ấy đi cái lỡ lắm chưa thêm nổi chỗ thấy bị đang sẽ vẫn cũng rất quá luôn chứ đâu""".split()
)
_ACCENTED_STOPWORDS = FUNCTION_WORDS | CHAT_WORDS
STOPWORDS = frozenset(fold_word(w) for w in FUNCTION_WORDS)  # for questions typed without diacritics


def content_words(text: str) -> list[str]:
    """Folded words of a question that say what it is about."""
    accented = _typed_with_diacritics(text)
    return [w for start, end, w in word_spans(text) if not _is_function_word(text[start:end], w, accented)]


def _typed_with_diacritics(text: str) -> bool:
    return any(has_diacritics(w) for w in syllables(text))


def _is_function_word(typed: str, folded: str, accented: bool) -> bool:
    if not accented:
        return folded in STOPWORDS
    return normalize_tones(unicodedata.normalize("NFC", typed.lower())) in _ACCENTED_STOPWORDS


def question_phrases(text: str) -> list[tuple[str, ...]]:
    """Runs of content words side by side in the question, folded: "Quy định 22 về công tác kiểm tra" ->
    [("quy", "dinh", "22"), ("cong", "tac", "kiem", "tra")]."""
    phrases: list[tuple[str, ...]] = []
    run: list[str] = []
    accented = _typed_with_diacritics(text)
    for start, end, word in word_spans(text):
        if _is_function_word(text[start:end], word, accented):
            if run:
                phrases.append(tuple(run))
            run = []
        else:
            run.append(word)
    if run:
        phrases.append(tuple(run))
    return phrases


def matched_spans(text: str, phrases: list[tuple[str, ...]]) -> tuple[tuple[int, int], ...]:
    """Character spans of `text` to underline: each stretch of two or more words that appears in that order
    inside a question phrase, and each word the question says alone. Longest stretches first, never overlapping."""
    words = word_spans(text)
    folded = [w for _, _, w in words]
    pairs = {(a, b) for phrase in phrases for a, b in zip(phrase, phrase[1:])}
    singles = {phrase[0] for phrase in phrases if len(phrase) == 1}
    spans: list[tuple[int, int]] = []
    position = 0
    while position < len(words):
        end = position
        while end + 1 < len(words) and (folded[end], folded[end + 1]) in pairs and _adjacent(text, words[end], words[end + 1]):
            end += 1
        if end > position or folded[position] in singles:
            spans.append((words[position][0], words[end][1]))
        position = end + 1
    return tuple(spans)


def best_sentence(text: str, query_words: set[str], query_bigrams: set[str]) -> tuple[int, int] | None:
    """The sentence sharing most query words (bigrams count double); None when nothing is shared."""
    best, best_score = None, 0.0
    for start, end in sentence_spans(text):
        words = [w for _, _, w in word_spans(text[start:end])]
        score = len(query_words.intersection(words)) + 2 * len(query_bigrams.intersection(f"{a}_{b}" for a, b in zip(words, words[1:])))
        if score > best_score:
            best, best_score = (start, end), score
    return best


def _adjacent(text: str, left: tuple[int, int, str], right: tuple[int, int, str]) -> bool:
    """Two words of one phrase: only spaces, a hyphen or a code's slash between them ("22-QĐ/TW"), not a comma
    or a full stop."""
    return text[left[1] : right[0]].strip(" \t-–/") == ""
