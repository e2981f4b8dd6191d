"""Templates render under limits: a runaway template is a config error at check, never a hang."""

import os
import subprocess
import sys

import pytest

from crmbridge.errors import ConfigError
from crmbridge.rules.templates import Template

WHERE = "preset.yaml: fields.body"


@pytest.mark.parametrize(
    ("source", "limit"),
    [
        ("{{ 'a' * 10**9 }}", "builds a value"),
        ("{{ [1] * 10**9 }}", "builds a value"),
        ("{{ 10 ** 100000 }}", "builds a value"),
        ("{{ (10 ** 9000) * (10 ** 9000) }}", "builds a value"),
        ("{{ '%999999999d' % 1 }}", "builds a value"),
        ("{{ 'x' | center(10**9) }}", "a number over"),
        ("{{ 'x'.ljust(10**9) }}", "a number over"),
        ("{% for i in range(10**9) %}{% endfor %}", "a number over"),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "loops ran more",
        ),
    ],
)
def test_a_template_over_a_limit_is_a_config_error_naming_the_field(source, limit):
    with pytest.raises(ConfigError) as err:
        Template(source, WHERE).render({"i": {"text": "hello"}})
    assert WHERE in str(err.value) and limit in str(err.value)


def test_loops_nested_three_deep_do_not_compile():
    source = "{% for a in x %}{% for b in x %}{% for c in x %}{% endfor %}{% endfor %}{% endfor %}"
    with pytest.raises(ConfigError, match="loops nest deeper than 2"):
        Template(source, WHERE)


def test_a_render_that_runs_too_long_stops():
    source = "{% for c in t %}{% for d in t %}{{ (c ~ d) | upper }}{% endfor %}{% endfor %}"
    with pytest.raises(ConfigError, match="ran longer than"):
        Template(source, WHERE).render({"t": "x" * 20_000})


def test_ordinary_templates_and_big_data_values_still_render():
    t = Template(
        "{{ n | default(0) }} {{ s | truncate_text(5) }} {{ 2 ** 64 }} {{ 'ab' * 3 }}", WHERE
    )
    assert (
        t.render({"n": 10**12, "s": "x" * 500_000})
        == "1000000000000 xxxx… 18446744073709551616 ababab"
    )
    loop = Template("{% for i in range(3) %}{{ i }}{% endfor %}", WHERE)
    assert loop.render({}) == "012" and loop.render({}) == "012"  # the budget is per render


def test_check_reports_a_runaway_mapping_template_and_exits_4(workdir):
    (workdir / "preset.yaml").write_text(
        "name: runaway\nobject: activity\nfields:\n"
        "  subject: {template: 'hello'}\n"
        "  body: {template: \"{{ 'a' * 10**9 }}\"}\n"
    )
    yaml = workdir / "crmbridge.yaml"
    yaml.write_text(yaml.read_text() + "mapping: preset.yaml\n")
    done = subprocess.run(
        [sys.executable, "-m", "crmbridge", "check"],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert done.returncode == 4, done.stdout + done.stderr
    assert "fields.body" in done.stdout and "exceeds a limit" in done.stdout
