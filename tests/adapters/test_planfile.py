"""Reading plan files: YAML and JSON, with the file, line and field of every problem."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from adapters.planfile import load_located_plan, load_plan_text
from adapters.planwriter import dump_plan_yaml
from engine.errors import PlanError
from engine.findings import field_location_key
from engine.plan import plan_json_schema, plan_to_tenancy, tenancy_to_plan
from tests.adapters.plans import load_plan_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "plans"
EXAMPLE = EXAMPLES / "vcn-native.yaml"


def error_for(text: str, source: str = "plan.yaml") -> str:
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, source=source)
    return str(caught.value)


def test_the_example_plan_loads_and_converts_without_findings():
    plan = load_plan_file(EXAMPLE)
    result = plan_to_tenancy(plan)
    assert result.findings == ()
    assert [p.name for p in result.cluster.node_pools] == ["general", "batch"]
    assert result.cluster.lb_subnet_ids == ("plan:subnet/public-lb",)


def test_the_json_schema_accepts_the_example_plan():
    schema = plan_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(EXAMPLE.read_text()))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "okebot plan (okebot.plan/v1)"
    assert "maxPodsPerNode" in schema["$defs"]["PlanNodePool"]["properties"]


def test_the_json_schema_refuses_an_unknown_key():
    data = yaml.safe_load(EXAMPLE.read_text())
    data["nodePools"][0]["maxPodz"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, plan_json_schema())


def test_json_and_yaml_give_the_same_plan():
    plan = load_plan_file(EXAMPLE)
    as_json = json.dumps(plan.model_dump(mode="json", exclude_none=True))
    assert load_plan_text(as_json, source="plan.json") == plan
    assert load_plan_text(as_json, source="<stdin>") == plan


def test_yaml_flow_style_that_is_not_json_still_loads():
    text = EXAMPLE.read_text()
    data = yaml.safe_load(text)
    flow = yaml.safe_dump(data, default_flow_style=True)
    assert flow.startswith("{")
    assert load_plan_text(flow, source="plan.yaml") == load_plan_text(text, source="plan.yaml")


def test_errors_name_the_line_of_the_field_in_the_yaml():
    text = EXAMPLE.read_text().replace("maxPodsPerNode: 93", "maxPodsPerNode: 0")
    line = 1 + text.splitlines().index("    maxPodsPerNode: 0")
    message = error_for(text)
    assert message.startswith(f"plan.yaml:{line}: nodePools[0].maxPodsPerNode: must be at least 1, got the number 0")


def test_an_unknown_key_is_reported_at_its_own_line_with_a_suggestion():
    text = EXAMPLE.read_text().replace("    maxSize: 30\n", "    maxSize: 30\n    maxPodz: 3\n")
    line = 1 + text.splitlines().index("    maxPodz: 3")
    assert f"plan.yaml:{line}: nodePools[0].maxPodz: unknown key (did you mean maxPodsPerNode?)" in error_for(text)


def test_a_pool_naming_a_missing_subnet_is_reported_at_its_line():
    text = EXAMPLE.read_text().replace(
        "    workerSubnet: workers\n    podSubnet: pods\n\nshapes",
        "    workerSubnet: wrkers\n    podSubnet: pods\n\nshapes",
    )
    line = 1 + text.splitlines().index("    workerSubnet: wrkers")
    expected = f"plan.yaml:{line}: nodePools[1].workerSubnet: names subnet 'wrkers', which the plan does not have"
    assert expected in error_for(text)


def indented_json(subnet: dict[str, object], pool: dict[str, object]) -> str:
    """The example plan as indented JSON, with changes to its second subnet and first pool."""
    data = yaml.safe_load(EXAMPLE.read_text())
    data["subnets"][1].update(subnet)
    data["nodePools"][0].update(pool)
    return json.dumps(data, indent=2)


def line_with(text: str, fragment: str) -> int:
    (line,) = [n for n, written in enumerate(text.splitlines(), 1) if fragment in written]
    return line


@pytest.mark.parametrize("source", ["bad.json", "bad.yaml", "<stdin>"])
def test_errors_in_a_json_plan_name_the_line_of_the_field(source):
    text = indented_json(subnet={"regional": "yes"}, pool={"size": "3"})
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, source=source)
    regional, size = line_with(text, '"regional": "yes"'), line_with(text, '"size": "3"')
    assert str(caught.value).splitlines()[:2] == [
        f"{source}:{regional}: subnets[1].regional: expected true or false, got the text 'yes'",
        f"{source}:{size}: nodePools[0].size: expected a whole number, got the text '3'",
    ]
    assert [(p.path, p.line) for p in caught.value.problems] == [
        ("subnets[1].regional", regional), ("nodePools[0].size", size)]


@pytest.mark.parametrize(("source", "text"), [
    ("dup.json", '{\n  "apiVersion": "okebot.plan/v1",\n  "cluster": {\n    "cni": "vcn-native",\n'
                 '    "cni": "flannel"\n  }\n}'),
    ("dup.yaml", "apiVersion: okebot.plan/v1\ncluster:\n  cni: vcn-native\n  cni: flannel\n"),
])
def test_a_key_given_twice_is_a_problem_at_its_path_and_second_line_with_the_others(source, text):
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, source=source)
    second = 5 if source.endswith(".json") else 4
    problems = [(p.path, p.line, p.message) for p in caught.value.problems]
    assert ("cluster.cni", second, f"the key 'cni' appears twice in one mapping (first on line {second - 1})") \
        in problems
    # The plan is read with the last value, and its other problems are reported in the same run.
    assert ("cluster.name", 3 if source.endswith(".json") else 2, "is required but missing") in problems
    assert ("vcn", 1, "is required but missing") in problems


def test_a_json_plan_gives_where_each_subject_is_written():
    text = json.dumps(yaml.safe_load(EXAMPLE.read_text()), indent=2)
    located = load_located_plan(text, source="plan.json")
    assert located.locations["nodePool:batch"] == (line_with(text, '"name": "batch"') - 1, "nodePools[1]")
    assert located.locations["cluster:payments-prod"] == (line_with(text, '"cluster": {'), "cluster")


@pytest.mark.parametrize("source", ["plan.yaml", "plan.json"])
def test_each_field_of_a_subject_and_each_cidr_field_has_its_own_line(source):
    data = yaml.safe_load(EXAMPLE.read_text())
    data["vcn"]["cidrs"] = ["10.0.0.0/16", "10.1.0.0/33"]
    text = json.dumps(data, indent=2) if source.endswith(".json") else yaml.safe_dump(data, sort_keys=False)
    locations = load_located_plan(text, source=source).locations
    assert locations[field_location_key("cluster.podsCidr")] == (line_with(text, "podsCidr"), "cluster.podsCidr")
    assert locations[field_location_key("nodePools[1].size")][1] == "nodePools[1].size"
    # A block that is not valid is a field all the same: CIDR_INVALID names it in details["field"].
    assert locations[field_location_key("vcn.cidrs[1]")] == (line_with(text, "10.1.0.0/33"), "vcn.cidrs[1]")


def test_json_that_keeps_a_key_and_its_value_on_different_lines_is_reported_at_the_key():
    text = '{"apiVersion": "okebot.plan/v1",\n "cluster"\n  :\n {"name": 7, "cni": "flannel"}}'
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, source="odd.json")
    lines = {p.path: p.line for p in caught.value.problems}
    assert lines["cluster.name"] == 4
    assert lines["vcn"] == 1


def test_an_unquoted_version_that_yaml_reads_as_a_number_says_to_quote_it():
    text = EXAMPLE.read_text().replace("  kubernetesVersion: v1.31.1\n  cni", "  kubernetesVersion: 1.30\n  cni")
    assert 'cluster.kubernetesVersion: expected text such as "v1.31.1", got the number 1.3; quote it' in error_for(text)


def test_an_unquoted_release_date_is_accepted():
    text = EXAMPLE.read_text().replace('released: "2025-01-31"', "released: 2025-01-31")
    image = load_plan_text(text, source="p.yaml").node_pools[0].image
    assert image is not None
    assert image.released == "2025-01-31"


BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['x'] * 9)}]\n"
    for name, prev in zip("abcdefghi", ["", *"abcdefgh"], strict=True)
)


@pytest.mark.parametrize(
    ("source", "text", "expected"),
    [
        ("plan.yaml", "", "plan.yaml: the plan is empty"),
        ("plan.yaml", "   \n# only a comment\n", "plan.yaml: the plan is empty"),
        ("plan.yaml", "---\n...\n", "the plan is empty"),
        (
            "plan.yaml",
            "- a\n- b\n",
            "plan.yaml:1: expected a mapping of keys to values at the top level, got a list",
        ),
        (
            "plan.yaml",
            "just words",
            "expected a mapping of keys to values at the top level, got the text 'just words'",
        ),
        (
            "plan.json",
            '{"apiVersion": "okebot.plan/v1", "cluster": {',
            "plan.json:1:46: not valid JSON: Expecting property name enclosed in double quotes (the text ends early",
        ),
        (
            "plan.json",
            '{"apiVersion": "okebot.plan/v1",\n "cluster": {"name": "x",}}',
            "plan.json:2:26: not valid JSON: Expecting property name",
        ),
        (
            "plan.json",
            '{"apiVersion": "okebot.plan/v1", "apiVersion": "x"}',
            "the key 'apiVersion' appears twice",
        ),
        (
            "plan.yaml",
            "apiVersion: okebot.plan/v1\ncluster: [\n",
            "plan.yaml:3:1: not valid YAML: while parsing a flow node",
        ),
        ("plan.yaml", "apiVersion: okebot.plan/v1\ncluster:\n  name: a\n name: b\n", "plan.yaml:4:"),
        (
            "plan.yaml",
            "apiVersion: okebot.plan/v1\nvcn: {}\napiVersion: x\n",
            "plan.yaml:3: apiVersion: the key 'apiVersion' appears twice in one mapping (first on line 1)",
        ),
        ("plan.yaml", "a: 1\n---\nb: 2\n", "plan.yaml:2:1: not valid YAML: expected a single document"),
        ("plan.yaml", "\x00\x01binary", "plan.yaml: not valid YAML"),
        (
            "plan.yaml",
            "apiVersion: okebot.plan/v1\nx: 2024-13-45\n",
            "plan.yaml: cannot read a value: month must be in 1..12",
        ),
        ("plan.yaml", "apiVersion: !!python/object:os.system x\n", "not valid YAML"),
        ("plan.yaml", BOMB, "plan.yaml: expands to more than 100000 values"),
        ("plan.yaml", "a: " + "[" * 60 + "]" * 60, "plan.yaml: nested more than 40 levels deep"),
        ("plan.yaml", "a: " + "[" * 5000, "plan.yaml:1:1003: not valid YAML: while increasing flow level"),
        ("plan.json", "[" * 100_000, "plan.json: nested more than 40 levels deep"),
        ("plan.yaml", "a: &a [*a]\n", "plan.yaml: expands to more than 100000 values"),
        ("plan.yaml", "cluster: {}\nvcn: {}\n", "plan.yaml:1: apiVersion is missing; is this a plan file?"),
        (
            "plan.yaml",
            "apiVersion: 1\n",
            "plan.yaml:1: apiVersion: expected okebot.plan/v1, got the number 1",
        ),
        ("plan.yaml", "apiVersion: okebot.plan/v1\n? [a]\n: b\n", "not valid YAML"),
    ],
)
def test_unreadable_text_gives_a_plan_error_naming_the_source_and_place(source, text, expected):
    assert expected in error_for(text, source)


def test_text_over_five_mebibytes_is_refused_unread():
    assert "the plan is larger than 5 MiB" in error_for("#" * (5 * 1024 * 1024 + 1))


def test_text_is_measured_in_utf8_bytes_so_it_is_refused_as_its_file_would_be():
    # 2 MiB characters of 3 bytes each: 6 MiB as a file, so 6 MiB as text too.
    assert "the plan is larger than 5 MiB" in error_for("#" + "€" * (2 * 1024 * 1024))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfe\x00binary\x89PNG", "not UTF-8 text (byte 0xff at offset 0)"),
        (b"#" * (5 * 1024 * 1024 + 1), "the plan is larger than 5 MiB"),
        (b"", "the plan is empty"),
    ],
)
def test_unreadable_files_give_a_plan_error_naming_the_file(tmp_path, content, expected):
    path = tmp_path / "plan.yaml"
    path.write_bytes(content)
    with pytest.raises(PlanError) as caught:
        load_plan_file(path)
    assert str(caught.value).startswith(str(path))
    assert expected in str(caught.value)


def test_a_missing_file_is_a_plan_error(tmp_path):
    with pytest.raises(PlanError, match=r"absent\.yaml: no such file"):
        load_plan_file(tmp_path / "absent.yaml")


def test_a_utf8_bom_is_ignored(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.read_bytes())
    assert load_plan_file(path) == load_plan_file(EXAMPLE)


@pytest.mark.parametrize("broken", sorted(p.name for p in EXAMPLES.glob("broken-*.yaml")))
def test_each_broken_example_fails_with_the_message_written_in_its_header(broken):
    path = EXAMPLES / broken
    expected = path.read_text().splitlines()[0].removeprefix("# expect: ")
    with pytest.raises(PlanError) as caught:
        load_plan_file(path)
    assert expected in str(caught.value)


def test_an_exported_plan_reloads_into_an_equivalent_cluster():
    original = plan_to_tenancy(load_plan_file(EXAMPLE))
    exported = tenancy_to_plan(original.tenancy, original.cluster)
    reloaded = plan_to_tenancy(load_plan_text(dump_plan_yaml(exported), source="exported.yaml"))
    assert reloaded.findings == ()
    assert reloaded.cluster == original.cluster
    assert reloaded.tenancy.subnets == original.tenancy.subnets
    assert reloaded.tenancy.shapes == original.tenancy.shapes
    assert tenancy_to_plan(reloaded.tenancy, reloaded.cluster) == exported


def test_the_dumped_yaml_has_camel_case_keys_and_leaves_out_what_is_not_stated():
    text = dump_plan_yaml(load_plan_file(EXAMPLE))
    assert text.startswith("apiVersion: okebot.plan/v1\ncluster:\n")
    assert "maxPodsPerNode: 93" in text
    assert "null" not in text
    assert "max_pods" not in text


def test_the_documented_example_is_the_example_file():
    doc = (EXAMPLES.parents[1] / "docs" / "plan-format.md").read_text()
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert load_plan_text(block, source="docs/plan-format.md") == load_plan_file(EXAMPLE)


def test_a_peer_that_is_only_the_word_role_is_a_plan_not_a_crash():
    # Found by test_truncated_valid_plans_give_a_plan_or_a_plan_error: "peer: role:workers" cut after "role".
    text = EXAMPLE.read_text().replace('peer: "role:workers"', "peer: role", 1)
    plan = load_plan_text(text, source="cut.yaml")
    assert "role" in [rule.peer for subnet in plan.subnets for rule in subnet.security_rules or ()]


def test_a_tab_in_the_indentation_is_said_to_be_a_tab():
    with pytest.raises(PlanError) as raised:
        load_plan_text("apiVersion: okebot.plan/v1\ncluster:\n\tname: demo\n", source="tab.yaml")
    assert raised.value.message == "tab.yaml:3:1: not valid YAML: a tab: YAML indents with spaces only"
    assert raised.value.remedy == "replace the tabs with spaces"
