"""The package layout: connectors/ and mappings/ install as crmbridge subpackages."""

from importlib import resources
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_connectors_and_mappings_import_from_their_top_level_folders():
    import crmbridge.connectors.files as files
    import crmbridge.mappings as mappings

    assert Path(files.__file__).resolve().parent == ROOT / "connectors"
    assert Path(mappings.__file__).resolve().parent == ROOT / "mappings"


def test_the_mapping_presets_are_package_data():
    names = {p.name for p in resources.files("crmbridge.mappings").iterdir()}
    assert "local.yaml" in names


def test_every_entry_point_loads():
    for group in ("crmbridge.connectors", "crmbridge.crm_adapters"):
        for ep in entry_points(group=group):
            assert ep.load().name == ep.name


def test_the_migrations_ship_inside_the_package():
    from crmbridge.state import migrate

    assert (migrate.SCRIPTS / "env.py").is_file()
    assert migrate.head()


def test_connectors_import_only_the_engines_public_modules():
    allowed = {
        "crmbridge.connector",
        "crmbridge.models",
        "crmbridge.errors",
        "crmbridge.http",
        "crmbridge.config",
        "crmbridge.sources",
        "crmbridge.testing",
    }
    for path in (ROOT / "connectors").glob("*.py"):
        for line in path.read_text().splitlines():
            if line.startswith(("from crmbridge", "import crmbridge")):
                module = line.split()[1]
                sibling = module.startswith("crmbridge.connectors.")
                assert module in allowed or sibling, f"{path.name} imports {module}"


def test_the_engine_never_imports_its_test_machinery():
    for path in [*(ROOT / "crmbridge").rglob("*.py"), *(ROOT / "connectors").glob("*.py")]:
        if "testing" in path.relative_to(ROOT).parts:
            continue
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("from crmbridge.testing", "import crmbridge.testing")):
                raise AssertionError(f"{path.relative_to(ROOT)} imports the test kit: {stripped}")


def test_tests_and_benchmarks_reach_shared_code_without_editing_sys_path():
    for folder in ("tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name != "test_packaging.py":
                assert "sys.path" + ".insert" not in path.read_text(), path.relative_to(ROOT)
