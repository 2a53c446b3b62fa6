"""NLU pipeline comparison on a held-out split of our own NLU data.

    .venv/bin/python benchmarks/nlu_compare.py [--quick] [--configs a,b,c,d]
        [--seed 42] [--test-frac 0.2] [--show-errors] [--no-reference]
        [--held-out-as-of REVISION] [--test-file benchmarks/nlu_test_set.yml]

All intent examples in data/nlu/*.yml are split 80/20, stratified per intent
(rasa's TrainingData.train_test_split, fixed seed; retrieval intents are
stratified per response key, e.g. out_of_scope/it, and scored as their base
intent out_of_scope). The held-out 20 % is never trained on. For each pipeline
an NLU-only model is trained on the 80 % (rasa.model_training.train_nlu, in a
fresh subprocess with an empty training cache, so nothing is reused between
pipelines or from .rasa/), every held-out example is parsed with
rasa.core.agent.Agent, and the script prints

- intent accuracy (nlu_fallback counts as an error) and the accuracy of the
  top intent before the FallbackClassifier,
- macro-F1 over our intents (sklearn), after and before fallback,
- entity span F1 (entity type, start and end exact, over the annotated spans),
- fallback rate, and the share of held-out out_of_scope examples that get the right
  refusal (intent out_of_scope and the right sub-intent from the ResponseSelector,
  which answers only for messages classified out_of_scope),
- training time, p50 / p95 parse time,
- the most frequent confusions (true -> predicted, count),

then a table of the hard boundary cases from the foundation issue plus our own
paraphrases (none of them in the training data) for every pipeline run, with
pipeline (c) first. Every figure has the load average next to it: the machine
is shared, so timings are noisy.

Pipelines (benchmarks/configs/, config.yml itself, and variants of config.yml
that change one component's settings, written to the run's temporary folder):
  a  WhitespaceTokenizer + word CountVectors
  b  WhitespaceTokenizer + word + char_wb(2-5) CountVectors
  c  config.yml as is (spaCy da blank + lookups lemmas, regex, lexical, word, char_wb)
  d  config.yml with fewer DIET / ResponseSelector epochs
  e  config.yml with DIET's transformer off (number_of_transformer_layers: 0)
  f  lean: DIET one 128-unit transformer layer, 40 epochs; ResponseSelector
     dense layers 128/64 (Rasa's default is 512), 40 epochs
  g  lean without DIET's transformer (e + the lean ResponseSelector of f)
  h  config.yml with DIET batches of 128-512 examples instead of 64-256
  i  config.yml with DIET 40 epochs instead of 20 (the ensemble's 0.893, over the
     3-minute training budget)
  j  config.yml with DIET's learning rate at 0.0015 instead of 0.001
  k  config.yml with DIET's share of the intent ensemble 0.5 (before) instead of 0.3
  l  config.yml with DIET's share of the intent ensemble 0.2 instead of 0.3
  m  config.yml with DIET 30 epochs instead of 20 (as before the CRF entities)
  n  config.yml with character n-grams seen in at least 2 examples (min_df 2)
  o  h and n together
  p  config.yml with DIET 25 epochs instead of 20 (as before 2026-12-04)
--quick runs only c. Target: macro-F1 >= 0.95 for c.

Adding examples moves the split, so figures before and after are on different
held-out messages. --held-out-as-of REVISION holds out what the split held out
at that git revision (same seed and fraction) and trains on today's data without
those texts: 91aaca3 is the data before the English examples.

--test-file FILE tests on the messages of an NLU file outside data/ instead of a
split: benchmarks/nlu_test_set.yml holds 388 messages written for this purpose
only, from the intent definitions alone (the writer saw no training example and
no error list), and never trained on. Training uses all of data/nlu except any
text that also occurs in the test file (ignoring case): 111 short ones like "hej".

Before the pipelines, a reference that is not Rasa: TF-IDF word + char_wb(2-5)
features and a linear SVM (scikit-learn) on the same split and on five other
seeds. It trains in a second and shows how hard the held-out examples are and
how much the figure moves with the split alone.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # config.yml names components in bot.serving_models
CONFIGS = {
    "a": ROOT / "benchmarks" / "configs" / "a_whitespace_word.yml",
    "b": ROOT / "benchmarks" / "configs" / "b_whitespace_word_char.yml",
    "c": ROOT / "config.yml",
    "d": ROOT / "benchmarks" / "configs" / "d_fewer_epochs.yml",
    "e": ROOT / "benchmarks" / "configs" / "e_no_transformer.yml",
    "f": ROOT / "benchmarks" / "configs" / "f_lean.yml",
    "g": ROOT / "benchmarks" / "configs" / "g_no_transformer_lean.yml",
}
DIET = "bot.serving_models.ServingDIETClassifier"
ENSEMBLE = "bot.intent_ensemble.IntentEnsemble"
CHAR_NGRAMS = "CountVectorsFeaturizer:char_wb"
# config.yml with some settings of its components changed: they follow config.yml.
VARIANTS: Dict[str, List[Tuple[str, Dict[str, Any]]]] = {
    "h": [(DIET, {"batch_size": [128, 512]})],
    "i": [(DIET, {"epochs": 40})],
    "j": [(DIET, {"learning_rate": 0.0015})],
    "k": [(ENSEMBLE, {"diet_weight": 0.5})],
    "l": [(ENSEMBLE, {"diet_weight": 0.2})],
    "m": [(DIET, {"epochs": 30})],
    "n": [(CHAR_NGRAMS, {"min_df": 2})],
    "o": [(DIET, {"batch_size": [128, 512]}), (CHAR_NGRAMS, {"min_df": 2})],
    "p": [(DIET, {"epochs": 25})],
}
DESCRIPTIONS = {
    "a": "whitespace + word CountVectors",
    "b": "whitespace + word + char_wb(2-5)",
    "c": "config.yml (spaCy da lemmas + regex + lexical + word + char_wb)",
    "d": "config.yml with fewer epochs (DIET 40, ResponseSelector 30)",
    "e": "config.yml with DIET's transformer off (0 layers)",
    "f": "lean: DIET 1x128 transformer, 40 epochs; ResponseSelector dense 128/64, 40 epochs",
    "g": "lean without transformer: DIET 0 layers, 40 epochs; lean ResponseSelector",
    "h": "config.yml with DIET batches of 128-512 instead of 64-256",
    "i": "config.yml with DIET 40 epochs instead of 20",
    "j": "config.yml with DIET learning rate 0.0015 instead of 0.001",
    "k": "config.yml with DIET's share of the intent ensemble 0.5 instead of 0.3",
    "l": "config.yml with DIET's share of the intent ensemble 0.2 instead of 0.3",
    "m": "config.yml with DIET 30 epochs instead of 20 (as before the CRF entities)",
    "n": "config.yml with character n-grams seen in at least 2 examples",
    "o": "h and n together",
    "p": "config.yml with DIET 25 epochs instead of 20 (as before 2026-12-04)",
}
TARGET_MACRO_F1 = 0.95
FALLBACK = "nlu_fallback"
WORKER_TIMEOUT = 1800  # seconds per pipeline: train + parse

# The hard boundary cases named in the foundation issue.
ISSUE_CASES: List[Tuple[str, str]] = [
    ("hvad er en snusepraktik?", "ask_question"),
    ("kan man få anonym vejledning?", "ask_question"),
    ("jeg vil gerne i snusepraktik på neonatal", "apply_snusepraktik"),
    ("book en samtale til mig", "book_session"),
    ("er du et menneske?", "bot_challenge"),
    ("jeg vil tale med et menneske", "request_human"),
]
# Our own paraphrases of the same boundaries; checked at run time not to occur in
# data/nlu (they test generalisation, not memory).
PARAPHRASES: List[Tuple[str, str]] = [
    ("hvad går en snusepraktik egentlig ud på", "ask_question"),
    ("er det muligt at få en anonym snak med en rådgiver?", "ask_question"),
    ("hvor mange uger kan en udveksling vare", "ask_question"),
    ("jeg kunne godt tænke mig en snusepraktik på intensiv", "apply_snusepraktik"),
    ("kan du reservere en karrieresamtale til mig i næste uge", "book_session"),
    ("er det en maskine der svarer mig?", "bot_challenge"),
    ("taler jeg med en rigtig rådgiver eller en bot", "bot_challenge"),
    ("kan jeg få lov at chatte med en rigtig medarbejder", "request_human"),
    ("er min ansøgning om udveksling blevet behandlet endnu", "check_application_status"),
    ("min computer vil ikke starte, kan du hjælpe", "out_of_scope"),
]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}"


def base_intent(intent: str) -> str:
    return intent.split("/", 1)[0]


# --------------------------------------------------------------------------- split


def load_nlu_data(nlu_dir: Path = ROOT / "data" / "nlu") -> Any:
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_nlu_importer_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(nlu_dir)]
    )
    return importer.get_nlu_data()  # with the out_of_scope responses from domain.yml


def split_as_of(data: Any, revision: str, seed: int, test_frac: float,
                workdir: Path) -> Tuple[Any, Any]:
    """The held-out part of data/nlu as it was at a git revision (same seed and
    fraction), and today's data without those texts as the training part: figures
    that stay comparable when examples are added, since the split moves with the data."""
    from rasa.shared.nlu.training_data.training_data import TrainingData

    old_dir = workdir / "nlu_as_of"
    old_dir.mkdir()
    listed = subprocess.run(["git", "ls-tree", "--name-only", f"{revision}:data/nlu"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.split()
    for name in listed:
        text = subprocess.run(["git", "show", f"{revision}:data/nlu/{name}"], cwd=ROOT,
                              check=True, capture_output=True, text=True).stdout
        (old_dir / name).write_text(text, encoding="utf-8")
    _, old_test = load_nlu_data(old_dir).train_test_split(train_frac=1.0 - test_frac,
                                                          random_seed=seed)
    held = {m.get("text") for m in old_test.intent_examples}
    train = data.filter_training_examples(lambda m: m.get("text") not in held)
    return train, TrainingData(training_examples=old_test.intent_examples)


def same_text(text: str) -> str:
    """A text as compared between the data and the held-out messages: case and
    surrounding spaces do not make it another message."""
    return text.strip().lower()


def split_test_file(data: Any, test_file: Path) -> Tuple[Any, Any]:
    """The messages of an NLU file outside data/ as the held-out part, and all of
    data/nlu without any of their texts as the training part."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    test = load_data(str(test_file))
    held = {same_text(m.get("text")) for m in test.intent_examples}
    train = data.filter_training_examples(lambda m: same_text(m.get("text")) not in held)
    dropped = len(data.intent_examples) - len(train.intent_examples)
    print(f"{dropped} texts of {test_file.name} also occur in data/nlu: left out of training")
    return train, TrainingData(training_examples=test.intent_examples)


def make_split(data: Any, seed: int, test_frac: float, workdir: Path,
               as_of: Optional[str] = None,
               test_file: Optional[Path] = None) -> Tuple[Path, List[Dict[str, str]], set]:
    """Write the training part to a YAML file; return it, the held-out examples and
    the set of all example texts (lower-cased) in data/nlu. With `as_of`, the
    held-out part is that git revision's (split_as_of); with `test_file`, that
    file's messages (split_test_file)."""
    if test_file:
        train, test = split_test_file(data, test_file)
    elif as_of:
        train, test = split_as_of(data, as_of, seed, test_frac, workdir)
    else:
        train, test = data.train_test_split(train_frac=1.0 - test_frac, random_seed=seed)
    train_file = workdir / "train_nlu.yml"
    train_file.write_text(train.nlu_as_yaml(), encoding="utf-8")
    train_texts = {m.get("text") for m in train.intent_examples}
    held_out = [
        {"text": m.get("text"), "intent": m.get("intent"), "full_intent": m.get_full_intent(),
         "entities": sorted([e["entity"], e["start"], e["end"]] for e in m.get("entities") or [])}
        for m in test.intent_examples
    ]
    leaked = [h["text"] for h in held_out if h["text"] in train_texts]
    if leaked:  # duplicates across intents would be the only way; say so loudly
        print(f"WARNING: {len(leaked)} held-out texts also occur in the training part: {leaked[:5]}")
    all_texts = {same_text(m.get("text")) for m in data.intent_examples}
    return train_file, held_out, all_texts


def linear_reference(data: Any, seed: int, test_frac: float) -> None:
    """Not Rasa: TF-IDF word + char_wb(2-5) and a linear SVM, same kind of split."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    from bot.intent_ensemble import text_features

    def score(split_seed: int) -> Tuple[float, float]:
        train, test = data.train_test_split(train_frac=1.0 - test_frac, random_seed=split_seed)
        x = [m.get("text").lower() for m in train.intent_examples]
        y = [base_intent(m.get("intent")) for m in train.intent_examples]
        xt = [m.get("text").lower() for m in test.intent_examples]
        yt = [base_intent(m.get("intent")) for m in test.intent_examples]
        model = make_pipeline(text_features(), LinearSVC(C=1.0))
        model.fit(x, y)
        predicted = model.predict(xt)
        return accuracy_score(yt, predicted), f1_score(yt, predicted, average="macro")

    acc, f1 = score(seed)
    others = [score(seed + k)[1] for k in range(1, 6)]
    print(f"Reference (not Rasa; TF-IDF word+char_wb + LinearSVC, no fallback): seed {seed} "
          f"accuracy {acc:.3f}, macro-F1 {f1:.3f}; macro-F1 on seeds {seed + 1}..{seed + 5}: "
          f"min {min(others):.3f} / mean {statistics.mean(others):.3f} / max {max(others):.3f}"
          f"  ({load()})")


# --------------------------------------------------------------------------- worker


def worker(config: Path, train_file: Path, examples_file: Path, out_file: Path) -> None:
    """Train an NLU-only model and parse the given texts; write JSON results."""
    import asyncio
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    texts: List[str] = json.loads(examples_file.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="nlu_compare_model_") as model_dir:
        start = time.perf_counter()
        model = train_nlu(str(config), str(train_file), model_dir, fixed_model_name="nlu",
                          domain=str(ROOT / "domain.yml"))
        train_seconds = time.perf_counter() - start
        train_load = load()
        if not model:
            raise SystemExit("training failed")
        agent = Agent.load(model)
        loop = asyncio.new_event_loop()
        loop.run_until_complete(agent.parse_message("hej"))  # warm-up, not timed
        results, times = [], []
        for text in texts:
            t0 = time.perf_counter()
            parsed = loop.run_until_complete(agent.parse_message(text))
            times.append(time.perf_counter() - t0)
            ranking = [(r["name"], float(r["confidence"])) for r in parsed.get("intent_ranking", [])]
            before = next(((n, c) for n, c in ranking if n != FALLBACK), (None, 0.0))
            selector = parsed.get("response_selector", {}).get("out_of_scope", {})
            results.append({
                "intent": parsed["intent"]["name"],
                "confidence": float(parsed["intent"]["confidence"] or 0.0),
                "before_fallback": before[0],
                "before_confidence": before[1],
                "response_key": selector.get("response", {}).get("intent_response_key"),
                "entities": sorted([e["entity"], e["start"], e["end"]]
                                   for e in parsed.get("entities", [])),
            })
        loop.close()
    out_file.write_text(json.dumps({
        "train_seconds": train_seconds, "train_load": train_load,
        "parse_seconds": times, "parse_load": load(), "results": results,
    }), encoding="utf-8")


def config_file(key: str, workdir: Path) -> Path:
    """The pipeline's config: a file of benchmarks/configs, or config.yml with a
    variant's settings written to workdir."""
    if key not in VARIANTS:
        return CONFIGS[key]
    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component, settings in VARIANTS[key]:
        name, _, analyzer = component.partition(":")
        matching = [c for c in config["pipeline"] if c["name"] == name
                    and (not analyzer or c.get("analyzer") == analyzer)]
        if len(matching) != 1:
            raise SystemExit(f"variant ({key}): config.yml has no single {component}")
        matching[0].update(settings)
    path = workdir / f"config_{key}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_worker(key: str, train_file: Path, texts: List[str], workdir: Path) -> Dict[str, Any]:
    examples_file = workdir / "texts.json"
    examples_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    out_file = workdir / f"result_{key}.json"
    env = dict(os.environ)
    env.update({
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        # an empty, private training cache: no component is reused from an earlier
        # run or from the shared .rasa/cache, so training time is from scratch
        "RASA_CACHE_DIRECTORY": str(workdir / f"cache_{key}"),
        "LOG_LEVEL": "WARNING",
    })
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(config_file(key, workdir)),
           "--train-file", str(train_file), "--examples-file", str(examples_file),
           "--out-file", str(out_file)]
    log = workdir / f"worker_{key}.log"
    with log.open("w") as handle:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                              timeout=WORKER_TIMEOUT)
    if proc.returncode != 0 or not out_file.exists():
        raise RuntimeError(f"pipeline {key} failed (exit {proc.returncode}):\n"
                           f"{log.read_text(errors='replace')[-4000:]}")
    return json.loads(out_file.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- report


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarise(key: str, raw: Dict[str, Any], held_out: List[Dict[str, str]]) -> Dict[str, Any]:
    from sklearn.metrics import f1_score

    n = len(held_out)
    results = raw["results"][:n]
    y_true = [base_intent(h["intent"]) for h in held_out]
    y_final = [r["intent"] for r in results]
    y_before = [r["before_fallback"] or "" for r in results]
    labels = sorted(set(y_true))
    oos = [(h["full_intent"], r["response_key"]) for h, r in zip(held_out, results)
           if base_intent(h["intent"]) == "out_of_scope"]
    true_spans = {(i, tuple(e)) for i, h in enumerate(held_out) for e in h.get("entities", [])}
    found_spans = {(i, tuple(e)) for i, r in enumerate(results) for e in r.get("entities", [])}
    hits = len(true_spans & found_spans)
    return {
        "key": key,
        "entity_f1": 2 * hits / max(1, len(true_spans) + len(found_spans)),
        "entity_spans": len(true_spans),
        "entity_precision": hits / max(1, len(found_spans)),
        "entity_recall": hits / max(1, len(true_spans)),
        "accuracy": sum(t == p for t, p in zip(y_true, y_final)) / n,
        "accuracy_before": sum(t == p for t, p in zip(y_true, y_before)) / n,
        "macro_f1": f1_score(y_true, y_final, labels=labels, average="macro", zero_division=0),
        "macro_f1_before": f1_score(y_true, y_before, labels=labels, average="macro",
                                    zero_division=0),
        "fallback_rate": sum(p == FALLBACK for p in y_final) / n,
        "selector_accuracy": (sum(t == p for t, p in oos) / len(oos)) if oos else float("nan"),
        "selector_n": len(oos),
        "confusions": Counter((t, p) for t, p in zip(y_true, y_final) if t != p),
        "train_seconds": raw["train_seconds"],
        "train_load": raw["train_load"],
        "parse_p50_ms": 1000 * statistics.median(raw["parse_seconds"]),
        "parse_p95_ms": 1000 * percentile(raw["parse_seconds"], 95),
        "parse_load": raw["parse_load"],
        "results": results,
        "extra": raw["results"][n:],
    }


def print_summary(s: Dict[str, Any], held_out: List[Dict[str, str]],
                  show_errors: bool = False) -> None:
    n = len(held_out)
    key = s["key"]
    verdict = "meets" if s["macro_f1"] >= TARGET_MACRO_F1 else "MISSES"
    source = ("config.yml with " + ", ".join(str(settings) for _, settings in VARIANTS[key])
              if key in VARIANTS
              else CONFIGS[key].relative_to(ROOT))
    print(f"\n=== ({key}) {DESCRIPTIONS[key]}  [{source}]")
    print(f"  intent accuracy        {s['accuracy']:.3f}  (nlu_fallback = error; {n} held-out)")
    print(f"  accuracy before fallbk {s['accuracy_before']:.3f}  (top intent before FallbackClassifier)")
    print(f"  macro-F1               {s['macro_f1']:.3f}  ({verdict} target >= {TARGET_MACRO_F1})")
    print(f"  macro-F1 before fallbk {s['macro_f1_before']:.3f}")
    print(f"  fallback rate          {s['fallback_rate']:.3f}")
    print(f"  right refusal (oos)    {s['selector_accuracy']:.3f}  "
          f"(out_of_scope sub-intent, {s['selector_n']} held-out)")
    if s["entity_spans"]:
        print(f"  entity span F1         {s['entity_f1']:.3f}  (precision {s['entity_precision']:.3f}, "
              f"recall {s['entity_recall']:.3f}; entity, start and end exact, "
              f"{s['entity_spans']} annotated spans)")
    print(f"  training time          {s['train_seconds']:.1f} s   ({s['train_load']})")
    print(f"  parse time p50 / p95   {s['parse_p50_ms']:.1f} / {s['parse_p95_ms']:.1f} ms   "
          f"({s['parse_load']})")
    if show_errors:
        print("  misclassified held-out examples (text | true -> predicted conf | before fallback):")
        for h, r in zip(held_out, s["results"]):
            if base_intent(h["intent"]) != r["intent"]:
                print(f"    {h['text']!r} | {base_intent(h['intent'])} -> {r['intent']} "
                      f"{r['confidence']:.2f} | {r['before_fallback']} {r['before_confidence']:.2f}")
    top = s["confusions"].most_common(8)
    if top:
        print("  top confusions (true -> predicted, count):")
        for (t, p), count in top:
            print(f"    {t} -> {p}: {count}")
    else:
        print("  no confusions")


def print_cases(summaries: List[Dict[str, Any]], cases: List[Tuple[str, str]],
                in_training: set) -> None:
    order = sorted(summaries, key=lambda s: (s["key"] != "c", s["key"]))
    width = max(len(t) for t, _ in cases) + 2
    header = f"  {'text':<{width}}{'expected':<26}" + "".join(
        f"{'(' + s['key'] + ') predicted, conf':<34}" for s in order)
    print("\nHard boundary cases (issue cases, then our own paraphrases not in data/nlu):")
    print(header)
    for index, (text, expected) in enumerate(cases):
        if index == len(ISSUE_CASES):
            print("  " + "-" * (len(header) - 2))
        row = f"  {text:<{width}}{expected:<26}"
        for s in order:
            r = s["extra"][index]
            mark = "ok " if r["intent"] == expected else "XX "
            row += f"{mark}{r['intent'] + ' ' + format(r['confidence'], '.2f'):<31}"
        print(row)
    for s in order:
        hits = sum(s["extra"][i]["intent"] == e for i, (_, e) in enumerate(cases))
        print(f"  ({s['key']}) {hits}/{len(cases)} as expected")
    own = [t for t, _ in PARAPHRASES if same_text(t) in in_training]
    if own:
        print(f"  NOTE: these paraphrases are in data/nlu now, pick new ones: {own}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="only pipeline c")
    parser.add_argument("--configs", default="a,b,c,d,e,f,g", help="comma-separated, from a-g and the variants h-m")
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the scikit-learn reference")
    parser.add_argument("--show-errors", action="store_true",
                        help="list every misclassified held-out example")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--test-frac", type=float, default=0.2)
    parser.add_argument("--held-out-as-of", metavar="REVISION",
                        help="hold out what the split held out at this git revision "
                             "(e.g. 91aaca3, before the English examples); train on the rest")
    parser.add_argument("--test-file", type=lambda p: Path(p).resolve(), metavar="FILE",
                        help="test on this NLU file's messages (e.g. benchmarks/nlu_test_set.yml) "
                             "and train on all of data/nlu")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--train-file", help=argparse.SUPPRESS)
    parser.add_argument("--examples-file", help=argparse.SUPPRESS)
    parser.add_argument("--out-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        worker(Path(args.worker), Path(args.train_file), Path(args.examples_file),
               Path(args.out_file))
        return 0

    os.chdir(ROOT)  # config.yml names var/spacy_da relative to the project
    keys = ["c"] if args.quick else [k.strip() for k in args.configs.split(",") if k.strip()]
    unknown = [k for k in keys if k not in CONFIGS and k not in VARIANTS]
    if unknown:
        parser.error(f"unknown pipeline(s) {unknown}; choose from {','.join([*CONFIGS, *VARIANTS])}")
    if not (ROOT / "var" / "spacy_da" / "meta.json").exists():
        print("var/spacy_da is missing: run `make setup` (scripts/build_spacy_da.py) first")
        return 2

    if args.test_file and args.held_out_as_of:
        parser.error("--test-file and --held-out-as-of exclude each other")
    test_file = args.test_file
    if test_file:
        print(f"NLU comparison, pipelines {','.join(keys)}; held-out: "
              f"{test_file.relative_to(ROOT) if ROOT in test_file.parents else test_file}  ({load()})")
    else:
        as_of = f" of data/nlu at {args.held_out_as_of}" if args.held_out_as_of else ""
        print(f"NLU comparison, pipelines {','.join(keys)}; seed {args.seed}, held-out "
              f"{args.test_frac:.0%}{as_of}  ({load()})")
    with tempfile.TemporaryDirectory(prefix="nlu_compare_") as tmp:
        workdir = Path(tmp)
        data = load_nlu_data()
        train_file, held_out, all_texts = make_split(data, args.seed, args.test_frac, workdir,
                                                     args.held_out_as_of, test_file)
        counts = Counter(base_intent(h["intent"]) for h in held_out)
        print(f"{len(held_out)} held-out examples over {len(counts)} intents "
              f"(training part: {train_file.stat().st_size} bytes of YAML, never sees them)")
        if not args.no_reference and not args.held_out_as_of and not test_file:  # the reference splits anew
            linear_reference(data, args.seed, args.test_frac)
        cases = ISSUE_CASES + PARAPHRASES
        texts = [h["text"] for h in held_out] + [t for t, _ in cases]
        summaries = []
        for key in keys:
            print(f"\ntraining and parsing with ({key}) ... ({load()})", flush=True)
            raw = run_worker(key, train_file, texts, workdir)
            summary = summarise(key, raw, held_out)
            print_summary(summary, held_out, args.show_errors)
            summaries.append(summary)
            sys.stdout.flush()

    print("\nSummary (held-out intent classification):")
    print(f"  {'pipeline':<10}{'acc':>7}{'acc<fb':>8}{'macroF1':>9}{'fallbk':>8}"
          f"{'train s':>9}{'p50 ms':>8}   load at training end")
    for s in summaries:
        print(f"  ({s['key']})      {s['accuracy']:>7.3f}{s['accuracy_before']:>8.3f}"
              f"{s['macro_f1']:>9.3f}{s['fallback_rate']:>8.3f}{s['train_seconds']:>9.1f}"
              f"{s['parse_p50_ms']:>8.1f}   {s['train_load']}")
    print_cases(summaries, ISSUE_CASES + PARAPHRASES, all_texts)
    ours = next((s for s in summaries if s["key"] == "c"), None)
    if ours:
        gap = ours["macro_f1"] - TARGET_MACRO_F1
        print(f"\nTarget macro-F1 >= {TARGET_MACRO_F1} for config.yml: "
              f"{'met' if gap >= 0 else 'MISSED'} ({ours['macro_f1']:.3f}, {gap:+.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
