"""The runnable blocks of docs/blueprints.md pass as written: the quickstart (under 30 lines), the
custom aggregation, and the price oracle of the "done when" (under 40 lines)."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path


DOC = Path(__file__).resolve().parents[2] / "docs" / "blueprints.md"


def block(name: str) -> str:
    text = DOC.read_text()
    match = re.search(rf"<!-- {name} -->\s*```python\n(.*?)```\s*<!-- /{name} -->", text, re.S)
    assert match, f"docs/blueprints.md lost its {name} block"
    return match.group(1)


def quickstart() -> str:
    return block("quickstart")


def run_block(name: str) -> dict:
    """Run a block as a module of its own (dataclasses look their module up in sys.modules)."""
    module = types.ModuleType("docs_" + name.replace("-", "_"))
    sys.modules[module.__name__] = module
    try:
        exec(compile(block(name), str(DOC), "exec"), module.__dict__)
        tests = [fn for n, fn in module.__dict__.items() if n.startswith("test_") and callable(fn)]
        assert tests, f"the {name} block defines no test"
        for fn in tests:
            fn()
    finally:
        del sys.modules[module.__name__]
    return module.__dict__


def test_quickstart_is_under_30_lines() -> None:
    assert len(quickstart().strip().splitlines()) < 30


def test_quickstart_runs_and_its_tests_pass() -> None:
    run_block("quickstart")


def test_custom_aggregation_example_runs_and_its_test_passes() -> None:
    ns = run_block("custom-aggregation")
    assert ns["Unanimous"].fault_kind == "dissent"


def test_price_oracle_is_under_40_lines_and_passes() -> None:
    assert len(block("price-oracle").strip().splitlines()) < 40
    ns = run_block("price-oracle")
    assert ns["MARKET"]["ETH"] == 350_000


def test_first_blueprint_runs_and_prints_what_the_doc_shows() -> None:
    """The first section's block passes, and the output the doc shows under it is what it prints."""
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        run_block("first-blueprint")
    printed = out.getvalue().splitlines()
    shown = re.search(r"<!-- /first-blueprint -->.*?```text\n(.*?)```", DOC.read_text(), re.S)
    assert shown, "the first section lost the output it shows"
    lines = [line for line in shown.group(1).splitlines() if line.strip() and line.strip() != "..."]
    assert len(lines) >= 6
    missing = [line for line in lines if line not in printed]
    assert not missing, f"docs/blueprints.md shows lines the block does not print: {missing}"


def test_every_python_block_of_the_doc_is_marked_and_run() -> None:
    """A ```python block outside a named marker would never be run by these tests."""
    text = DOC.read_text()
    marked = re.findall(r"<!-- ([a-z-]+) -->\s*```python\n", text)
    assert text.count("```python") == len(marked)
    assert set(marked) == {"first-blueprint", "quickstart", "price-oracle", "custom-aggregation", "hooks"}


def test_the_hooks_example_decodes_list_arguments_and_refuses_empty_ones() -> None:
    """The ServiceManager section's block: registration, request and job arguments (lists included)
    decoded with the blueprint, as the doc says hooks must (a list Field's .value is (type, items))."""
    ns = run_block("hooks")
    assert ns["bp"].request_params == [list[str]]


def test_the_hook_signature_table_is_the_pallets_hooks() -> None:
    """Every hook the pallet calls is in the doc's table with its exact parameters and refusal error."""
    import inspect

    from pallets.services.manager import BlueprintServiceManager

    text = DOC.read_text()
    table = re.search(r"<!-- hook-signatures -->\n(.*?)<!-- /hook-signatures -->", text, re.S)
    assert table, "docs/blueprints.md lost its hook-signatures table"
    documented = {}
    for name, params, refusal in re.findall(r"^\| `(\w+)\(([^)]*)\)` \| [^|]+ \| ([^|]+) \|$", table.group(1), re.M):
        documented[name] = ([p.strip() for p in params.split(",")], refusal.strip())
    hooks = {n: f for n, f in vars(BlueprintServiceManager).items() if callable(f) and n.startswith(("on_", "can_"))}
    assert set(documented) == set(hooks)
    for name, fn in hooks.items():
        params, refusal = documented[name]
        assert params == list(inspect.signature(fn).parameters)[1:], name
        code_refusal = re.search(r"Refusal: (\w+)", fn.__doc__ or "")
        if code_refusal:
            assert refusal == f"`{code_refusal.group(1)}`", name
        else:
            assert "ignored" in refusal and "ignored" in (fn.__doc__ or ""), name
