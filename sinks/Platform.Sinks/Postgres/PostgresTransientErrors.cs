using Npgsql;

namespace Platform.Sinks.Postgres;

/// <summary>
/// Which failures a retry can fix: a lost or refused connection (Npgsql's <see cref="NpgsqlException.IsTransient"/>),
/// a server shutting down or terminating the backend (SQLSTATE class 57P: <c>pg_terminate_backend</c>, restart),
/// serialization failures and deadlocks (40001, 40P01), and resource exhaustion (class 53). Everything else —
/// a wrong column type, a constraint violation, bad credentials — fails at once with the server's message.
/// </summary>
internal static class PostgresTransientErrors
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        OperationCanceledException => false,
        PostgresException pg => pg.IsTransient || IsTransientState(pg.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException,
        IOException or System.Net.Sockets.SocketException or TimeoutException => true,
        _ => false,
    };

    private static bool IsTransientState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal)      // connection exception
        || state.StartsWith("53", StringComparison.Ordinal)   // insufficient resources
        || state.StartsWith("57P", StringComparison.Ordinal)  // admin shutdown, crash shutdown, cannot connect now
        || state is "40001" or "40P01";                       // serialization failure, deadlock
}
