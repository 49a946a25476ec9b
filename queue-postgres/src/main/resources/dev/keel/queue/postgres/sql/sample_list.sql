-- The newest :limit samples taken within :sinceMillis before now, returned oldest first.
SELECT s.at, s.body
  FROM (SELECT n.at, n.body
          FROM ${schema}.samples AS n
         WHERE n.at > now() - :sinceMillis * interval '1 millisecond'
         ORDER BY n.at DESC
         LIMIT :limit) AS s
 ORDER BY s.at
