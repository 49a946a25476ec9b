SELECT * FROM ${schema}.jobs WHERE tenant = :tenant AND id = :id
