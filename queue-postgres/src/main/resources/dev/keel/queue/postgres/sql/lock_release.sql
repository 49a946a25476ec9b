DELETE FROM ${schema}.locks WHERE name = :name AND owner = :owner
