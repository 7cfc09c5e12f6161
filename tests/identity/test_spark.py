"""`--engine spark`: the same trained model scores the same pairs on Spark (local mode, small data)."""

import pytest

from iomshare.demo.source_records import generate
from iomshare.identity import linkage
from tests.identity.conftest import raw_rows

pytestmark = pytest.mark.spark


def test_spark_links_exactly_as_duckdb_does_with_the_same_model(trained_model):
    con = linkage.connect(threads=2)
    table = linkage.prepare(con, linkage.raw_table(raw_rows(generate(250, seed=41))))
    on_duckdb = linkage.link(con, table, trained_model)
    on_spark = linkage.link(con, table, trained_model, engine="spark")
    con.close()
    assert on_spark.pairs_scored == on_duckdb.pairs_scored
    assert on_spark.clusters == on_duckdb.clusters
    assert len(set(on_spark.clusters.values())) < len(on_spark.clusters)
