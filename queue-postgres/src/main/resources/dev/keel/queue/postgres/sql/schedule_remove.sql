-- Delete one schedule; its jobs stay.
DELETE FROM ${schema}.schedules WHERE name = :name
