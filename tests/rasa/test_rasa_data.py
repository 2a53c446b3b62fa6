"""Rasa's own data checks, and the rules that keep Danish text in the domain."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RASA = Path(sys.executable).parent / "rasa"
# Responses that Rasa's built-in fallback actions send by name.
RASA_BUILTIN_RESPONSES = {"utter_default", "utter_ask_rephrase"}


def domain():
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def action_sources():
    return {p: p.read_text(encoding="utf-8") for p in (ROOT / "actions").glob("*.py")}


def response_names_in_actions():
    """Literal response names and f-string prefixes like 'utter_intent_label_'."""
    names, prefixes = set(), set()
    for source in action_sources().values():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"utter_[a-z0-9_/]*[a-z0-9]", node.value):
                    names.add(node.value)
            if isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and str(first.value).startswith("utter_"):
                    prefixes.add(first.value)
    return names, prefixes


def test_rasa_data_validate_passes_and_every_unused_response_is_sent_by_an_action():
    result = subprocess.run([str(RASA), "data", "validate"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    names, prefixes = response_names_in_actions()
    unexplained = []
    for warning in re.findall(r"UserWarning: (.*)", output):
        unused = re.match(r"The utterance '(utter_[^']+)' is not used in any story or rule", warning)
        if unused:
            name = unused.group(1)
            if name in names or name in RASA_BUILTIN_RESPONSES or name.startswith(tuple(prefixes)):
                continue
        unexplained.append(warning)
    assert not unexplained, "rasa data validate warns:\n" + "\n".join(unexplained)


def test_every_response_an_action_names_exists_in_the_domain():
    responses = set(domain()["responses"])
    names, prefixes = response_names_in_actions()
    assert names - responses == set()
    for prefix in prefixes:
        assert any(r.startswith(prefix) for r in responses), prefix


def test_every_response_has_a_variant_for_all_channels():
    for name, variants in domain()["responses"].items():
        assert any("channel" not in v for v in variants), name


def test_no_action_sends_raw_text():
    for path, source in action_sources().items():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "utter_message":
                keywords = {k.arg for k in node.keywords}
                assert "text" not in keywords, f"{path.name} sends raw text"
                assert not node.args, f"{path.name} sends positional text"


def test_nlu_vocabulary_is_generated_from_bot_vocabulary():
    sys.path.insert(0, str(ROOT / "scripts"))
    import generate_nlu_vocabulary

    current = (ROOT / "data" / "nlu" / "vocabulary.yml").read_text(encoding="utf-8")
    assert current == generate_nlu_vocabulary.render(), "run `make vocabulary`"
    concepts = (ROOT / "data" / "nlu" / "concepts.yml").read_text(encoding="utf-8")
    assert concepts == generate_nlu_vocabulary.render_concepts(), "run `make vocabulary`"


def test_every_required_intent_has_thirty_examples():
    required = {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help",
                "ask_question", "book_session", "cancel_booking", "check_booking",
                "reschedule_booking", "apply_snusepraktik", "check_application_status",
                "request_human", "out_of_scope"}
    counts = {}
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in item:
                intent = item["intent"].split("/")[0]
                counts[intent] = counts.get(intent, 0) + len(
                    [line for line in item["examples"].splitlines() if line.strip()])
    assert {i: counts.get(i, 0) for i in required if counts.get(i, 0) < 30} == {}


def custom_action_classes():
    """{action name: (class node, module's classes)} for every action in actions/."""
    found = {}
    for source in action_sources().values():
        classes = {n.name: n for n in ast.parse(source).body if isinstance(n, ast.ClassDef)}
        for node in classes.values():
            for method in node.body:
                if isinstance(method, ast.FunctionDef) and method.name == "name":
                    returned = [r.value.value for r in ast.walk(method)
                                if isinstance(r, ast.Return) and isinstance(r.value, ast.Constant)]
                    if returned:
                        found[returned[0]] = (node, classes)
    return found


def reads_domain(node, classes):
    """True if the class, or a base class of its module, uses the `domain` argument,
    or is a form validation (rasa_sdk reads the form's slots from the domain)."""
    bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
    if "FormValidationAction" in bases:
        return True
    if any(isinstance(n, ast.Name) and n.id == "domain" and isinstance(n.ctx, ast.Load)
           for n in ast.walk(node)):
        return True
    return any(reads_domain(classes[b], classes) for b in bases if b in classes)


def test_every_action_that_reads_the_domain_is_sent_it():
    # endpoints.yml enables Rasa's selective domain: an action gets the domain only
    # if domain.yml marks it send_domain (validate_ actions always get it). An action
    # that reads it without the mark would see an empty domain and lose its texts.
    for path in (ROOT / "endpoints.yml", ROOT / "deploy" / "endpoints.prod.yml"):
        endpoint = yaml.safe_load(path.read_text(encoding="utf-8"))["action_endpoint"]
        assert endpoint.get("enable_selective_domain") is True, path
    declared = {}
    for entry in domain()["actions"]:
        name, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        declared[name] = name.startswith("validate_") or bool(options.get("send_domain"))
    classes = custom_action_classes()
    assert set(declared) <= set(classes), "actions in domain.yml not found in actions/"
    readers = {name for name, (node, module) in classes.items() if reads_domain(node, module)}
    assert {"action_change_booking", "validate_booking_form"} <= readers  # the check sees them
    missing = sorted(name for name in readers if name in declared and not declared[name])
    assert not missing, f"read the domain but domain.yml does not send it: {missing}"
