"""What kind of turn a candidate's message is, before anything is graded.

    turn = classify("could you clarify what you mean by tradeoff?")   # Turn("clarify", "rule", None)

An answer (however weak), a clarifying question about the current question, an "I don't know" / pass, a
request for a hint, or talk about the interview itself (commands such as /hint are read earlier, in inputs.py).
The label definitions (bench/intake/README.md) are written here as classes of words and sentence shapes, not as
lists of phrases:

- each sentence gets a role: a request for help (`hint`), a decline (`dont_know`), a request or question about
  the interview's process (`meta`: position, time, breaks, scoring, report, records, rules, language, the
  interviewer, connection, stopping, topic, level, format, repeating, going back), a question about this
  question's meaning, scope, setting or depth (`clarify`: "you mean/want", "should I", "is this about", "X or Y?",
  "which kind/scale", "X as in Y?"), a question that proposes something (a guess), context (about the
  candidate, what they have heard of, why they ask) or a claim;
- the message is an answer when it makes an attempt: a claim or a guess with content of its own. Words the
  question already says do not count ("I know it's related to RoPE" is no attempt when the question names
  RoPE), so with the question's words (`Subject`) the rules see what is new;
- otherwise a request for help beats a decline, a decline beats a question, and a question about the process is
  `meta` unless it carries the question's own technical words.

When a question and an attempt are both weakly there ("XGBoost or LightGBM? add regularisation"), the rules are
`unsure`: the interviewer asks the candidate which it was instead of guessing (conversation.confirm); `Turn.lean`
says which kind of question it would be. `classify` can hand the messages the rules are not sure of to a `decide`
function; the engine passes none (bench/intake.py measures a model's constrained choice there: it lost answers the
rules keep). Patterns run on RE2 and the rest is plain string work: linear in the input.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from dataclasses import dataclass
from typing import Literal, NamedTuple

import re2

from ..bank.models import Question
from ..text import content_stems

Kind = Literal["answer", "clarify", "dont_know", "hint", "meta"]
KINDS: tuple[Kind, ...] = ("answer", "clarify", "dont_know", "hint", "meta")
UNSURE = "unsure"
#: Messages longer than this (in words) are answers, whatever they also ask.
LONG = 80
#: A sentence that does not ask and is longer than this (in words) is no request, decline or clarification:
#: those are said briefly; a long statement is a claim ("the first thing I always do is align with ...").
LONG_REQUEST = 20


class Turn(NamedTuple):
    kind: str  # one of KINDS, or "unsure" (a question or an answer: ask the candidate)
    how: str  # "rule" or "model"
    lean: Kind | None = None  # for "unsure": the kind of question it would be (clarify or meta)


@dataclass(frozen=True)
class Subject:
    """The words of what is being asked: `asked` (the question, and the follow-up probe), whose repetition is no
    attempt, and `domain` (its rubric and reference answer too), the technical words an attempt would use."""

    asked: frozenset[str]
    domain: frozenset[str]

    @classmethod
    def of(cls, asked: str, *more: str) -> "Subject":
        asked_stems = frozenset(content_stems(asked))
        return cls(asked_stems, asked_stems | frozenset(s for text in more for s in content_stems(text)))


def subject_of(question: Question, prompt: str = "") -> Subject:
    """The Subject of a bank question (and the follow-up probe being asked, if any)."""
    more = [question.reference_answer or ""]
    if question.rubric:
        for c in question.rubric.criteria:
            more += [c.point, *c.probes, *(t for group in c.key_terms for t in group)]
    return _subject(f"{question.question} {prompt}", tuple(more))


@lru_cache(maxsize=256)
def _subject(asked: str, more: tuple[str, ...]) -> Subject:
    return Subject.of(asked, *more)


def _rx(*alternatives: str) -> re2._Regexp:
    return re2.compile("|".join(f"(?:{a})" for a in alternatives))


# -- normalising ---------------------------------------------------------------------------------------------
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
#: Contractions typed without their apostrophe, and the long forms every pattern below is written against.
_BARE = {"dont": "do not", "doesnt": "does not", "didnt": "did not", "cant": "can not", "couldnt": "could not",
         "wont": "will not", "wouldnt": "would not", "shouldnt": "should not", "havent": "have not",
         "hasnt": "has not", "isnt": "is not", "arent": "are not", "wasnt": "was not", "im": "i am", "ive": "i have",
         "idk": "i do not know", "thats": "that is", "whats": "what is", "youre": "you are", "theyre": "they are"}
_SUFFIXES = (("n't", " not"), ("'m", " am"), ("'ve", " have"), ("'re", " are"), ("'ll", " will"), ("'d", " would"))
_WHOLE = {"can't": "can not", "cannot": "can not", "won't": "will not", "let's": "let us", "it's": "it is",
          "that's": "that is", "what's": "what is", "there's": "there is", "here's": "here is", "who's": "who is",
          "where's": "where is", "how's": "how is", "someone's": "someone is"}


def normal(text: str) -> str:
    """Lower case, one space between words, apostrophes unified and contractions spelled out."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    out = []
    for word in text.split():
        core = word.strip(".,;:!?()\"'")
        head, tail = word[:word.find(core)] if core else "", word[word.find(core) + len(core):] if core else ""
        if core in _WHOLE:
            core = _WHOLE[core]
        elif core in _BARE:
            core = _BARE[core]
        else:
            for suffix, long in _SUFFIXES:
                if core.endswith(suffix) and len(core) > len(suffix):
                    core = core[: -len(suffix)] + long
                    break
        out.append(f"{head}{core}{tail}" if core else word)
    return " ".join(out)


class Sentence(NamedTuple):
    text: str  # normalised, without its end mark
    asks: bool  # ends with "?" or opens like a question


_OPENERS = frozenset("is are was were do does did can could would will should shall may might am what which who "
                     "whom whose when where why how".split())
_FILLERS = frozenset("sorry ok okay so hmm hm um uh well also and but then wait right alright oh ah mm mmm quick "
                     "q question just checking hey hi please yeah yes no nope honestly actually basically".split())


def sentences(t: str) -> list[Sentence]:
    """Split normalised text at . ! ? ; (before a space or the end), ": ", dashes between words, and before "but"."""
    out: list[Sentence] = []
    n, start, i = len(t), 0, 0
    while i < n:
        ch = t[i]
        after = t[i + 1] if i + 1 < n else " "
        if t.startswith(" but ", i) and i > start:  # "I never used it, but I'd guess ...": hedge, then attempt
            _add(out, t[start:i])
            start = i + 1
        elif (ch in ".!?;:" and after == " ") or ch in "\u2014\u2013" or (ch == "-" and after == t[i - 1:i] == " "):
            while i + 1 < n and t[i + 1] in ".!?":  # "??", "?!", "..."
                i += 1
            _add(out, t[start:i + 1])
            start = i + 1
        i += 1
    _add(out, t[start:])
    return out


def _add(out: list[Sentence], piece: str) -> None:
    body = piece.strip().rstrip(".!?;:\u2014\u2013- ").strip()
    if any(c.isalnum() for c in body):
        out.append(Sentence(body, "?" in piece or _opens_as_question(body)))


def _opens_as_question(body: str) -> bool:
    """A sentence without "?" that still asks: it opens with a question word and inverts its subject within
    its first words ("what kind of documents are we assuming", "do you want the formulas"), unlike "which metric
    matters depends on the costs" or "how I think about it"."""
    words = body.replace(",", " ").split()
    while words and words[0] in _FILLERS:
        words = words[1:]
    return bool(words) and words[0] in _OPENERS and bool(INVERTED.search(" ".join(words[:7])))


# -- vocabulary classes -------------------------------------------------------------------------------------
#: Asking for help: a hint, a nudge, a pointer, a direction, a starting point, an example or analogy, a reminder.
HINT = _rx(
    r"\bhints?\b", r"\bguidance\b", r"\b(a|any|some|small|little|tiny|quick|one|another) (small |little |tiny |quick )?"
    r"(clue|nudge|pointer|tip|push)s?\b", r"^\W*(nudge|clue|help|tip|pointers?)\W*(please|pls|plz|maybe)?\W*$",
    r"\b(nudge|point|steer|guide|push|help) me\b", r"\b(right|a|some|any) direction\b",
    r"\bwhere (should|do|can|would|could|might|does) (i|you|one|we|it) (start|begin)\b",
    r"\bwhere to (start|begin)\b", r"\b(start|get) me (off|going|started)\b", r"\bto get (me )?(going|started)\b",
    r"\b(place|point|way|spot) to (start|begin)\b", r"\bstarting (point|place)\b", r"\bsomewhere to (start|begin)\b",
    r"\bhelp\b.{0,25}\b(start|started|going|begin)\b", r"\b(a little|some|a bit of|a) help\b",
    r"\b(start|begin) with\b.*\?$", r"\bwhat (should|do|can|would) i (start|begin)\b",
    r"\bfirst (step|thing|stage|component)\b", r"\bjog my memory\b", r"\bremind me\b",
    r"\b(example|analogy|keyword|key word)s?\b.*\b(give|help|get|me|start|anchor)\b",
    r"\b(give|show|tell) me (an? |some |one )?(example|analogy|keyword)", r"\banalogy\b", r"\bthrow me\b",
    r"\b(one|some|any) of the (things|points|ideas) you\b", r"\bfirst letter\b", r"\bsomething to go on\b",
)
#: "No hint needed": not a request.
NO_HINT = _rx(r"\bno (hints?|help) (needed|necessary|required)\b", r"\b(do|did) not need (a|any) (hint|help)")
#: Declining: not knowing, blanking, no experience, a gap, would be guessing, rather not, pass / skip / next.
_KNOW = (r"(know|remember|recall|recollect|understand (it|this|that|any)|looked (into|at)|look(ed)? into|studied|"
         r"learned|learnt|covered|touched|used|worked (with|on)|tried|seen|heard (of|about)|read (about|up)|"
         r"dealt with|played with|implemented|done|come across|came across|got to|understood|understand)")
_NOT = r"(do not|did not|have not|has not|had not|can not|could not|never|not|have never|had never)"
DECLINE = _rx(
    # not knowing, not remembering, never having used: first person, or opening the sentence
    r"(^\W*|\b(i|we)( \w+)? )" + _NOT + r" (really |actually |honestly |even |ever |properly |quite |fully |"
    r"much |seriously |personally )?" + _KNOW + r"\b",
    r"\b(no|not a|zero|not any|not the (slightest|faintest)) (idea|clue)\b", r"\bdunno\b",
    r"\bno (real |practical |hands-on |prior )?(experience|background|exposure)\b",
    r"\bnot (very |really |that |so |at all |too )?(familiar|knowing)\b", r"\bam not know\b", r"\bunfamiliar\b",
    # the topic as out of reach: not my area, a gap, beyond me, a mystery, new to me
    r"\bnot (my|in my) (area|field|strength|thing|domain|expertise|wheelhouse|specialty)\b",
    r"\b(a|my|real) (gap|blind spot|weak spot|weakness)\b", r"\b(outside|beyond) (what i|my|of my|anything i|me)\b",
    r"\bout of my (depth|league|comfort)\b", r"\bover my head\b", r"\blost on me\b", r"\b(new|unknown|foreign) to me\b",
    r"\b(a|a complete|a total|total|complete) mystery\b",
    r"\bforg(o|e)t(ten)? (all|everything|most|the|about|how|what)\b",
    # nothing to offer: blank, nothing comes to mind, can't answer, would be guessing, rather not
    r"\b(have|got) nothing\b", r"\bnothing (to add|to say|more to say|on this|for this)\b", r"\bblank(ing|ed)?\b",
    r"\b(nothing|anything) (comes?|coming) to mind\b", r"\b(can|could) not think of (anything|it|much|something)\b",
    r"\b(can|could|would) not (really |honestly )?(answer|say|tell|explain|walk|describe|think of)\b",
    r"\b(not able|unable) to (answer|say|tell|explain)\b", r"\bnot something i\b", r"\bmaking (things|stuff|it|"
    r"something|an answer) up\b", r"\b(only|just)? ?be guessing\b", r"\brather not\b", r"\blet us not\b",
    r"\bgive up\b", r"\b(completely |totally |a bit |really )?lost (on|with) (this|it|that)\b",
    r"\b(not have|no) (an |any |a good )?answer\b", r"\bnot know (this|that|it|the)\b",
    r"^\W*(i am )?not (sure|certain)\W*(sorry)?\W*$", r"^\W*(no|nope|nah)\W*(sorry)?\W*$",
    # passing on this question
    r"^\W*(i (will|would|must|have to) )?(pass|skip|next)( it| this| that)?( one| question)?\W*(please|for now)?\W*$",
    r"\bpass on (this|that|it)\b", r"\b(i will|i would|i am going to|gonna) (have to |just )?(pass|skip)\b",
    r"\b(move|go|skip|get|jump) (on )?to the next( one| question)?\W*$",
    r"\b(skip|drop) (this|that|it)( one| question)?\b", r"\bnext (one|question)\b", r"\b(move|go) on\b",
    # "I don't know" in a few common languages
    r"\bje (ne )?sais pas\b", r"\bno (lo )?s[eé]\b", r"\bkeine ahnung\b", r"\bich wei(ß|ss) (es )?nicht\b",
    r"不知道", r"\bnão sei\b", r"\bnon (lo )?so\b", r"\bnie wiem\b", r"не знаю",
)
#: About the interview, not the question: position, time, breaks, scoring and reports, records and rules,
#: language, the interviewer, connection, stopping and resuming, topic, level, format, repeating, going back.
_LANGUAGES = (r"(english|french|spanish|german|chinese|mandarin|portuguese|italian|hindi|arabic|russian|japanese|"
              r"korean|dutch|polish|turkish|my (own |native |first )?language|another language)")
META = _rx(
    # the interview, the position and what is left
    r"\binterview(er|ers)?\b", r"\bsession\b", r"\bwho (built|made|wrote|created|designed|runs)\b",
    r"\bmy answers\b", r"\bquestion (number|#|\d)", r"\b(which|what) (question|number)\b",
    r"\b(questions?|time|minutes?) (are |is )?(left|remaining)\b", r"\bhow many\b.*\b(questions?|more|left)\b",
    r"\bhow many (are|is) (left|there)\b", r"\b(after|before) this one\b", r"\bthe last one\b",
    r"\bhow far (along|in|are we)\b", r"\bare we (on|at) (question|number|\d)", r"\bhow am i doing\b",
    r"\bquestions\b", r"\bsame for everyone\b", r"\bfrom now on\b", r"\b(skip|jump|move|go) (ahead|forward)\b",
    r"\bhow long (will|does|is|do|should|would|can)\b", r"\b(the whole thing|this test|the test|this exam)\b",
    # time, breaks and resuming
    r"\b(how much|enough|more|extra|the) time\b", r"\btime (limit|for this|do (i|we) have)\b", r"\btimed\b",
    r"\brun out of time\b", r"\bbreak\b", r"\bpause\b", r"\bbrb\b", r"\bafk\b", r"\bbe right back\b",
    r"\bback in\b", r"\b(hang|hold) on\b", r"\b(one|a|just a) (sec|second|moment|minute)\b",
    r"\b(a few|five|ten|\d+|some|couple( of)?) (min|mins|minutes|moments|seconds)\b", r"\btake (five|ten|\d+)\b",
    r"\bat the door\b", r"\bstep (away|out)\b", r"\b(bathroom|toilet|coffee|lunch|dinner|water)\b",
    r"\b(tomorrow|tonight|next week)\b", r"\b(another|some other) (time|day)\b", r"\bthe rest\b",
    r"\breschedule\b", r"\b(continue|resume|finish|do|pick (it|this) up) (it |this |the rest )?(later|another|after)\b",
    r"\bpick (it|this|things) (back )?up\b", r"\bcome back to\b",
    # scoring, credit, feedback, report, reference answers and records
    r"\bscor(e|es|ed|ing)\b", r"\bgrad(e|es|ed|ing|er)\b", r"\bmark(s|ed|ing)\b", r"\bcredit\b",
    r"\b(lose|get|earn|cost|deduct|extra|bonus|partial|full|how many) points?\b", r"\bpoints? (for|off)\b",
    r"\bpenal(ty|ties|ised|ized)\b", r"\bcount(s|ed)? (towards|against|as|for|toward)\b", r"\bfeedback\b",
    r"\breport\b", r"\btranscript\b", r"\bresults\b", r"\b(reference|model|correct|right|ideal) answers\b",
    r"\bat the end\b", r"\bpass(ing)? (mark|score|grade)\b", r"\b(pass|fail) (or|and) (pass|fail)\b",
    r"\brecord(ed|ing)?\b", r"\bsaved\b", r"\bstored\b", r"\b(who|anyone|someone|a human|a person) "
    r"(will |going to |gonna )?(read|see|review|look at)\b",
    # rules: notes, looking things up, language
    r"\bgoogle\b", r"\blook (it|things|stuff|something|that) up\b", r"\bnotes\b", r"\bcheat(ing)?\b",
    r"\b(am i|are we|is it) (allowed|permitted|ok|okay|fine) to (use|look|search|check|google|answer|write)\b",
    r"\ballowed to (use|look|search|check|google|have|open)\b", r"\b(in|use|speak|switch to|write in|reply in|"
    r"answer in|to) " + _LANGUAGES + r"\b", r"\bmy english\b",
    # the interviewer, the connection, the screen
    r"\bare you (an? |actually |really )?(ai|bot|human|person|real|robot|llm|model|machine|chatbot)\b",
    r"\b(real|human) (person|being|interviewer)\b", r"\bis (this|it) (an? )?(ai|bot|human|person|automated)\b",
    r"\bis a (human|person)\b", r"\bconnection\b", r"\binternet\b", r"\bwifi\b", r"\baudio\b", r"\bmic\b",
    r"\b(screen|browser|page|laptop|computer) (froze|frozen|crashed|died|reloaded|refreshed)\b",
    r"\b(message|answer|reply) (go|get|went|got|come|came) through\b", r"\bdid you (get|receive|see) my\b",
    # stopping, restarting, topic, level, format, repeating, going back
    r"\brestart\b", r"\bstart (over|again|from scratch)\b", r"^\W*(quit|exit|stop|end)\W*(please|now)?\W*$",
    r"\b(stop|end|finish|quit|wrap( it)? up|call it)\b.{0,20}\b(here|now|for now|for today|a day|the interview|"
    r"early)\b", r"\bstop (for now|here|please)\b", r"\bwrap( it)? up\b", r"\bdone for (today|now|the day)\b",
    r"\b(have|got|need) to (go|leave|run)(\W*$| now| soon| in a)", r"\b(jump|hop|get) on a call\b",
    r"\b(change|switch|move)\b.{0,20}\b(topic|category|subject|questions|area)\b", r"\b(topic|category)\b",
    r"\bdifficulty\b", r"\b(junior|senior|staff|mid)\b.{0,10}\blevel\b", r"\b(harder|easier|tougher|simpler) "
    r"(questions|ones|one)\b", r"\b(get|gets|getting|go|going) (harder|easier)\b", r"\bcoding questions\b",
    r"\b(all|only|just) conceptual\b", r"\bword (limit|count)\b", r"\bformat\b", r"\b(spelling|grammar|typos)\b",
    r"\b(long|short|length of) (my )?answers\b", r"\banswers? (are |be |is )?(long|short)\b",
    r"\brepeat\b", r"\b(say|read|show|send|post|paste) (that|it|the question|the follow-?up)( \w+)? again\b",
    r"\bscrolled\b", r"\bgo back\b", r"\b(previous|earlier|last|other|first) (question|one|answer)\b",
    r"\brevisit\b", r"\bwhat happens if\b", r"\b(a|this) follow-?up\b.*\bor\b", r"\bnew question\b",
)
#: Things said about the process that need no request shape: "brb", "back in 5", "hang on", "done for today".
META_SAYS = _rx(r"\bhow (many questions|much time)\b", r"\b(stop|end|finish|quit) (here|now|for now|for today)\b",
                r"\bbrb\b", r"\bafk\b", r"\bbe right back\b", r"\bback in\b", r"\b(hang|hold) on\b",
                r"\bdone for (today|now|the day)\b", r"\b(have|got|need) to (go|leave|run)(\W*$| now| soon| in a)",
                r"\b(jump|hop|get) on a call\b", r"^\W*(quit|exit|stop|end)\W*(please|now)?\W*$", r"\bat the door\b",
                r"\bi need (a|some|a few|five|ten|\d+) (break|minutes?|min|mins|moments?|sec|seconds?|breather)\b")
#: A question about the rules of the process ("what happens if I skip?", "do hints cost points?"): meta, even
#: when it names a hint or not knowing.
META_FRAME = _rx(r"\bwhat (happens|if) (if |when )?(i|we|you)\b",
                 r"\b(cost|costs|count|counts|penali[sz]e|lower|hurt|affect)\b.{0,25}\b(points?|score|grade|marks?|"
                 r"credit)\b", r"\b(points?|score|grade|marks?|credit)\b.{0,25}\b(cost|count|lower|affect|penali[sz]e)")
#: About this question whatever else it names: what is assumed, what "you" mean or want.
CLARIFY_FIRST = _rx(
    r"\bassum(e|es|ed|ing|ption|ptions)\b", r"\byou mean\b", r"\bnot (understand|get) (the|your|this) question\b",
    r"\b(do|did) you (mean|want|need|expect|have in mind)\b",
    r"\bwhen you say\b", r"\b(not sure|unsure|not certain|not clear|wondering|curious|not know|no idea) (about )?"
    r"(whether|if|what|which|how much|how deep|how far) (you|the question|this question|it is asking)\b",
    r"\bwhat (exactly )?(are|were) you (asking|after|looking)\b",
)
#: A question about this question: its meaning, scope, setting, depth, a term check.
CLARIFY = _rx(
    r"\b(are|were) you (asking|after|looking for|referring|thinking|interested|talking)\b",
    r"\byou are (asking|after|looking for|referring|thinking)\b", r"\bwhat (do|did) you mean\b",
    r"\b(which|what) (one )?(you|do you) (have in mind|mean|ask|want)\b", r"\bwant me to\b", r"\bhave in mind\b",
    r"\b(should|shall|do|must|can|may|could) i\b", r"\b(do|does) (it|this|that|the answer) (need|have) to\b",
    r"\b(is|was) (this|that|it|the question) (\w+ )?(about|in|for|asking|referring|specific|meant|limited|only|"
    r"just|in the context|from)\b", r"\b(are|were|do|will|should|can|would) we\b", r"\bwe are (talking|assuming|"
    r"discussing)\b", r"\bis there a (specific|particular|concrete|given)\b",
    r"\bin (what|which) (context|setting|sense|scenario)\b", r"\bin the context of\b",
    r"\bhow (deep|detailed|much detail|formal|technical|specific|much depth)\b", r"\bhow far (should|do|can|to)\b",
    r"\bwhat depth\b", r"\b(high|implementation|conceptual|right|which|what) level\b", r"\blevel of detail\b",
    r"\bmeaning\b", r"\bas in\b", r"\bby .{1,40} (you mean|do you mean|you are referring)\b",
    r"\bpoint of view\b", r"\bperspective\b",
)
#: A statement that asks about this question: "I'd like to know if ...", "just to make sure I understand".
IMPLICIT = _rx(
    r"\bjust (to|want to|wanted to) (be sure|make sure|check|confirm|clarify|understand)\b", r"\bjust checking\b",
    r"\bmake sure (i|we) (understand|mean|are on|get)\b", r"\bclarif(y|ication)\b", r"\brephrase\b",
    r"\b(like|love|want) to know (if|whether|what|which)\b",
    r"\bbefore i (start|go|answer|dive|begin)\b", r"\bwhat (is|are) (the|a|an)? ?(meaning|definition)\b",
    r"\b(you are|you were) (asking|after|looking for|referring)\b",
)
#: Scope words that make a question a clarifying one: alternatives ("X or Y?"), "which kind / what scale", "only",
#: "in general", "exactly", "right?", "at what / for whom"; only in a sentence that asks.
SCOPE = _rx(
    r"\bor\b", r"\b(which|what) (kind|type|sort|version|part|aspect|setting|scale|size|case|scenario|product|"
    r"framework|library|model|dataset|data|domain|use case|depth|angle|sense|context|perspective|stage|sort)s?\b",
    r"\b(only|too|as well|also|enough|exactly|specifically|correct|right|in general|in particular)\W*$",
    r"\bin general\b", r"\bspecifically\b", r"\bexactly\b",
    r"\b(at|in|for|with|by|on|of|to|from|under) (what|which|whom|how much|how many|how big)\b",
)
#: A question with the subject after the verb ("do we know", "is this", "should I"): really asked, not a guess.
INVERTED = _rx(r"\b(is|are|was|were|do|does|did|can|could|would|will|should|shall|may|might|am|have|has)\s+"
               r"(i|you|we|they|this|that|these|those|there|the|my|your|our)\b")
#: The same with a subject that proposes ("is it", "does that"): a question, or a guess in question form.
INVERTED_IT = _rx(r"\b(is|are|was|were|do|does|did|can|could|would|will|should|has|have)\s+(it|that|they)\b")
#: A question that proposes something ("Semantic cache maybe?", "What about X?"): a guess, an attempt.
PROPOSES = _rx(r"\b(maybe|perhaps|probably|possibly|i guess|i think|i would say|i would|something like|is it because|"
               r"would it be|could it be|is it (the|a|an|that|because)|what about|how about|why not|basically|"
               r"would you (use|combine|add|do|just))\b")
#: Why a clarifying question is asked ("the metrics would be totally different"), not a claim about the topic.
JUSTIFY = _rx(r"\bdepends?\b", r"\b(quite|very|totally|pretty|completely|really|so|a lot) different",
              r"\bdifferently\b",
              r"\bchang(e|es|ed)\b.{0,40}\b(what|how|the answer|a lot|quite|between|a good|everything|with)\b",
              r"\b(answer|choice|approach) (changes|differs|varies|depends)\b", r"\bdiffers?\b", r"\bvar(y|ies)\b",
              r"\b(a lot of|lots of) ground\b", r"\bright (level|things|angle)\b", r"\b(pitch|aim|target) my\b",
              r"\bsame thing\b", r"\b(pretty|very|quite|too) broad\b", r"\bwould (really )?help\b")
#: The candidate about themselves: what they have heard of, done, want, feel, have to do.
CONTEXT = _rx(
    r"^\W*(i|we|my|me|our)\b(?:\s+\w+){0,3}\s+(heard|read|seen|know the name|know of|played|worked|work|used|"
    r"come across|came across|remember|forgot|messed|want|wanted|need|needed|have to|got to|like|hope|feel|am|was|"
    r"just|kind of|sort of|do not|did not|would like|would love|would rather|would prefer|will try|will have|"
    r"can take|can try|will take|mix up|always|only)\b",
    r"\b(heard|know) (of|about) (it|them|this|that)\b", r"\bknow the name\b", r"\bin passing\b",
    r"\b(related|relates) to\b", r"\bhas (something )?to do with\b", r"^\W*(i|we)\W*$",
    r"\b(my|our) (kid|son|daughter|wife|husband|partner|dog|cat|boss|brain|english|company|team|job|role|"
    r"connection|internet|battery|laptop|phone)\b", r"\b(lol|haha|sorry|thanks|thank you|i am afraid|tbh)\W*$",
    r"\b(role|job|position|team) (i am|we are) (applying|interviewing|hiring)\b", r"\bapplying for\b",
    r"\b(for|to) me\W*$", r"\bgetting (really |very |quite |pretty )?late\b", r"\blate here\b", r"\bsomeone is\b",
)
#: The speaker or the listener: "I", "we", "you" (a generic "you" too; the sentence's shape decides the rest).
PERSONAL = _rx(r"\b(i|me|my|mine|we|us|our|you|your)\b")
#: The speaker: a request for help is said in the first person ("give me a clue", "a hint would help me").
FIRST = _rx(r"\b(i|me|my)\b")
#: Claim markers that make a first-person sentence an attempt ("I'd put a gateway in front").
CLAIMS = _rx(r"^\W*(so |well |ok |okay |hmm )?(i|we) (would|will|think|guess|believe|usually|normally|typically|use|"
             r"used|put|add|start|pick|choose|go|set|split|run|keep|compute|train|log|take|prefer)\b")
#: Wishes and plans ("I'd like to add something", "I'll try the rest"): about the candidate, not a claim.
WANTS = _rx(r"^\W*(i|we) (would|will|am going to|wanna) (really )?(like|love|rather|prefer|try|have|need|want|be)\b",
            r"^\W*(i|we) (think )?(i|we) (would|will) (like|love|rather)\b")
#: A request said as a statement or an imperative ("stop for now please", "I'd like to restart", "brb").
REQUEST = _rx(r"^\W*(please|pls|can|could|would|may|let us|let me|brb|stop|pause|hang|hold|back|break|end|quit)\b",
              r"\b(please|i would like|i want|i need|i have to|can we|could we|we can|let us|i would prefer)\b")

#: Everyday words: they carry no attempt (an attempt's weight is counted in other words).
CHAT = frozenset(
    """know think sure want like mean question answer thing sorri thank time need get go say tell tri rememb explain
    work help start first part way realli lot kind bit littl good right just mayb honest actual one make let look
    see come well ok okay yes yeah hmm idea clue also quit pretti much mani would could might abl use sound fine
    great topic talk cover focus detail level deep depth general specif exampl assum pleas hint nudg stuck
    interview session score grade break pass skip next stop end later today tomorrow back minut second thing
    someth anyth everyth noth happen sinc becaus lol tbh gonna wanna guess probabl perhap basic""".split()
)


def _words(s: str, subject: Subject | None) -> list[str]:
    """Content stems of a sentence that could carry an attempt: not everyday words, not words the question says."""
    stems = [w for w in content_stems(s) if w not in CHAT]
    if subject is not None:
        stems = [w for w in stems if w not in subject.asked]
    return stems


def _technical(own: list[str], subject: Subject | None) -> int:
    """How many of a sentence's own words (see _words) are technical: the subject's domain words (rubric,
    reference answer) and tokens with digits or symbols. Without a subject, none is known to be."""
    if subject is None:
        return 0
    return sum(1 for w in own if w in subject.domain or not w.isalpha())


Role = Literal["hint", "dont_know", "meta", "clarify", "guess", "question", "context", "justify", "claim"]


def role(s: Sentence, technical: int = 0, after: str = "") -> Role:
    """What one sentence does (see the module docstring). `technical`: how many technical words it adds to the
    question (see _technical); `after`: the role of the sentence before it."""
    t = s.text
    # A request, a question about the question or a decline is the speaker's own: a sentence that does not
    # ask must say "I"/"you" and be short (or be a few words, "nudge please", "no idea") to be one. A claim about the topic
    # ("bias is error from wrong assumptions", "first you do supervised fine-tuning", "otherwise you can't
    # tell") is a claim whatever words it shares with a request.
    n_words = len(t.split())
    own_voice = s.asks or n_words <= 6 or (bool(PERSONAL.search(t)) and n_words <= LONG_REQUEST)
    if META_FRAME.search(t) and (s.asks or technical < 2):
        return "meta"
    if HINT.search(t) and not NO_HINT.search(t) and (own_voice and (s.asks or REQUEST.search(t) or FIRST.search(t)
                                                                    or n_words <= 6)):
        return "hint"
    if CLARIFY_FIRST.search(t) and own_voice and not (CLAIMS.search(t) and not s.asks):
        return "clarify"
    if DECLINE.search(t) and (own_voice or technical < 1):
        return "claim" if technical >= 4 else "dont_know"  # "... when the model does not know, it still ..."
    if after == "clarify" and (_options(t) or (s.asks and len(t.split()) <= 4 and not PROPOSES.search(t))):
        return "justify"  # the options of the question just asked: "a recommender, a fraud model?"
    if s.asks:
        if META.search(t) and technical < 2:
            return "meta"
        if PROPOSES.search(t):
            return "guess"
        if CLARIFY.search(t) or IMPLICIT.search(t) or SCOPE.search(t) or after == "clarify":
            return "clarify"
        if INVERTED.search(t) or _opens_with(t, _WH):
            return "clarify"
        # "Is compute a constraint here?" is asked; "Tombstones? Mark it deleted ...?" proposes.
        return "question" if INVERTED_IT.search(t) or _opens_with(t, _OPENERS) else "guess"
    if technical < 2 and (META_SAYS.search(t) or (META.search(t) and (REQUEST.search(t) or WANTS.search(t)))):
        return "meta"
    if IMPLICIT.search(t) and (WANTS.search(t) or not CLAIMS.search(t)):
        return "clarify"
    if META.search(t) and technical < 2:
        return "context"  # about the process, not the topic: "it scrolled off before I finished reading"
    if CLAIMS.search(t) and not WANTS.search(t):
        return "claim"
    if JUSTIFY.search(t):
        return "justify"
    if CONTEXT.search(t) or WANTS.search(t):
        return "context"
    return "claim"


def _options(t: str) -> bool:
    """A short list of alternatives, with no claim or proposal: "scanned PDFs, slide decks, or born-digital"."""
    return (len(t.split()) <= 15 and ("," in t or " or " in f" {t} ")
            and not CLAIMS.search(t) and not PROPOSES.search(t))


_WH = frozenset("what which who whom whose when where why how".split())


def _opens_with(t: str, openers: frozenset[str]) -> bool:
    words = t.replace(",", " ").split()
    while words and words[0] in _FILLERS:
        words = words[1:]
    return bool(words) and words[0] in openers


Decide = Callable[[str, tuple[Kind, ...]], Kind]
QUESTIONS = ("clarify", "meta")


def rule(text: str, subject: Subject | None = None) -> tuple[str | None, bool, Kind | None]:
    """(kind, sure, lean) from the rules alone: kind None when no rule speaks, "unsure" between a question
    (lean: clarify or meta) and an answer."""
    t = normal(text)
    words = t.split()
    if not words:
        return None, False, None
    if len(words) > LONG:
        return "answer", True, None
    parts = sentences(t)
    own = [_words(s.text, subject) for s in parts]
    tech = [_technical(w, subject) for w in own]
    roles: list[str] = []
    for s, n in zip(parts, tech):
        roles.append(role(s, n, roles[-1] if roles else ""))
    asks = {r for r in roles if r in ("hint", "dont_know", "meta", "clarify")}
    # What the message attempts, in its own words: claims and guesses (a reason given for a question is none).
    counted = ("claim", "guess") if asks & set(QUESTIONS) else ("claim", "guess", "justify")
    technical = sum(n for n, r in zip(tech, roles) if r in counted)
    plain = sum(len(w) for w, r in zip(own, roles) if r in counted)
    if not asks:
        if any(r in counted for r in roles):
            return "answer", True, None
        if "question" in roles:  # a bare question ("does it have to be exact?"): about the question, or a guess?
            return (UNSURE, False, "clarify") if technical or (subject is None and plain) else ("clarify", False, None)
        return "answer", len(words) >= 4, None
    if subject is not None:
        strong, weak = technical >= 3 or (technical >= 2 and plain >= 4), technical >= 1 or plain >= 1
    else:  # without the question's words, any content word may be technical
        strong, weak = plain >= 6, plain >= 2
    if strong:
        return "answer", True, None
    if "hint" in asks:
        return "hint", True, None
    if "dont_know" in asks:  # "I know X uses Y, but I couldn't explain Z": a claim of its own is an attempt
        return ("answer", True, None) if technical >= 1 else ("dont_know", True, None)
    # Both kinds of question: about the process unless the clarifying part names the topic.
    topical = any(n for n, r in zip(tech, roles) if r == "clarify")
    lean: Kind = "meta" if "meta" in asks and ("clarify" not in asks or not topical) else "clarify"
    if weak:
        return UNSURE, False, lean
    return lean, True, None


def classify(text: str, decide: Decide | None = None, subject: Subject | None = None) -> Turn:
    """The kind of turn, how it was decided ("rule" or "model") and, when "unsure", its lean. `decide(text,
    kinds)` is asked when the rules are not sure (e.g. a model's constrained choice); without it the rules'
    answer stands."""
    kind, sure, lean = rule(text, subject)
    if kind is None:
        return Turn("answer", "rule")
    if sure or decide is None:
        return Turn(kind, "rule", lean)
    return Turn(decide(text, KINDS), "model")


# -- the candidate's reply to "is that your answer, or a question?" ------------------------------------------
#: A short reply saying the held message was the answer ("yes", "that's my answer", "grade it") ...
_IS_ANSWER = _rx(r"^((yes|yeah|yep|yup|y|sure|correct|right|ok|okay)\W*)*((it|that) (is|was) )?(my |the |an |"
                 r"your )?(answer|final answer)( (it|that) (is|was))?(\W+(please|thanks|thank you))?$",
                 r"^((yes|yeah|yep|yup|sure|ok|okay)\W*)*(please )?(grade|score|mark|take) (it|that|this)"
                 r"( as (my|the|an) answer)?(\W+(please|thanks))?$", r"^(yes|yeah|yep|yup|y|correct)$",
                 r"^((yes|yeah|yep|yup|sure|ok|okay)\W*)*(it|that) (is|was) (it|all)$")
#: ... or a question ("question", "no, it was a question", "I was asking").
_IS_QUESTION = _rx(r"^((no|nope|nah|n)\W*)*((it|that) (is|was) )?(just |only |a |my )*(question|clarification|"
                   r"clarifying question)( about (it|the question|the interview))?(\W+(please|thanks))?$",
                   r"^((no|nope|nah)\W*)*i (am|was) (just )?asking( (you|a question))?$", r"^(no|nope|nah|n)$",
                   r"^((no|nope|nah)\W*)*not (an|my|the) answer$")


def confirmation(text: str) -> Literal["answer", "question"] | None:
    """What a short reply to the confirmation question says: the held message was the answer, or a question;
    None for anything else (then the reply is a message of its own)."""
    t = " ".join(normal(text).replace(",", " ").replace("!", " ").replace(".", " ").replace('"', " ").split())
    if not t or len(t.split()) > 10:
        return None
    if _IS_ANSWER.search(t):
        return "answer"
    if _IS_QUESTION.search(t):
        return "question"
    return None
