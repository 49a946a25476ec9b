-- A batch's members by state.
SELECT state, count(*) AS n FROM ${schema}.jobs WHERE batch_id = :id GROUP BY state
