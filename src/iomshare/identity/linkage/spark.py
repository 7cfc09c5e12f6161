"""Scoring pairs on Spark with the same trained model: the path past one machine."""

# SQL here is assembled from our own table and column names and floats, never from user input.
# ruff: noqa: S608

from __future__ import annotations

import logging
import tempfile
from typing import Any

import duckdb
from splink import Linker

from iomshare.identity.comparisons import TERM_FREQUENCY_COLUMNS, describe, settings
from iomshare.identity.linkage.frequencies import term_frequency_table


def spark_session(app_name: str = "iomshare-linkage"):
    """A local Spark session with Splink's similarity functions registered (the path past one machine)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    # Splink breaks long query plans by checkpointing: give Spark somewhere to write them.
    session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="iomshare-spark-"))
    return session


def model_for_dialect(model: dict[str, Any], sql_dialect: str) -> dict[str, Any]:
    """The trained model re-expressed in another SQL dialect: same levels, same m and u, same prior."""
    fresh = settings().create_settings_dict(sql_dialect)
    for target, trained in zip(fresh["comparisons"], model["comparisons"], strict=True):
        for level, trained_level in zip(
            target["comparison_levels"], trained["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability"):
                if key in trained_level:
                    level[key] = trained_level[key]
    fresh["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    describe(fresh)
    return fresh


def predict_on_spark(con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any], lower: float) -> str:
    """Score pairs on Spark with the same model, and bring the scored pairs back for clustering."""
    from splink import SparkAPI

    spark = spark_session()
    frame = spark.createDataFrame(con.sql(f"select * from {table}").to_arrow_table())
    spark_api = SparkAPI(spark_session=spark, break_lineage_method="persist")
    linker = Linker(spark_api.register(frame), model_for_dialect(model, "spark"), log_level=logging.ERROR)
    # The same smoothed term frequencies as DuckDB uses, so both engines score alike.
    for column in TERM_FREQUENCY_COLUMNS:
        name = term_frequency_table(con, table, model, column)
        lookup = spark_api.register(spark.createDataFrame(con.sql(f"select * from {name}").to_arrow_table()))
        linker.table_management.register_term_frequency_lookup(lookup, column)
    predicted = linker.inference.predict(threshold_match_probability=lower, warning_mode="never")
    rows = predicted.as_spark_dataframe().toArrow()
    con.register("__iom_spark_rows", rows)
    con.execute("create or replace table __iom_spark_predictions as select * from __iom_spark_rows")
    con.unregister("__iom_spark_rows")
    return "__iom_spark_predictions"
