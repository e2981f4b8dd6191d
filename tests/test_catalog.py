"""``crmbridge connectors list``: every registered connector with the options it takes."""

from crmbridge.catalog import connector_catalog, render_catalog


def test_every_built_in_connector_is_listed_with_its_options():
    rows = {row["name"]: row for row in connector_catalog()}
    assert {"jsonl", "csv", "x", "facebook", "instagram", "youtube", "reddit"} <= set(rows)
    x_options = {o["name"]: o for o in rows["x"]["options"]}
    assert x_options["bearer_token"]["secret"] and x_options["bearer_token"]["required"]
    assert x_options["bearer_token"]["default"] is None
    assert x_options["api_base"]["default"] == "https://api.x.com"


def test_the_rendered_list_names_secrets_as_environment_variables():
    text = render_catalog(connector_catalog())
    assert "bearer_token: SecretStr (required, secret: use ${VAR})" in text
    assert "youtube  (crmbridge.connectors.youtube:YouTubeConnector" in text
