/**
 * Test support shared by Keel's modules: finding the PostgreSQL and Redis servers the tests use (an
 * explicit URL variable, then the local default port, then a module-supplied fallback such as
 * Testcontainers, else a failure saying what to start) and private {@code redis-server} processes a
 * test may kill and restart. Dependency-free: the modules build their own JDBC pools and Redis
 * clients on top.
 */
package dev.keel.queue.testkit.servers;
