using Npgsql;
using Platform.Sinks.Warehouse;

namespace Platform.Sinks.Postgres;

/// <summary>
/// Brings the table in line with the pipeline's schema before the first write: creates it (with the key
/// columns as primary key), or adds the columns it lacks. A column that exists with another type is an
/// error naming both types, never a silent conversion. Columns the table has beyond the schema are left alone.
/// </summary>
internal static class PostgresTableMigrator
{
    public static async Task<TableMigration> MigrateAsync(NpgsqlConnection connection, string schemaName, PostgresStatements statements, CancellationToken cancellationToken)
    {
        var table = statements.Table;
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var existing = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var query = new NpgsqlCommand("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2", connection, tx))
        {
            query.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schemaName });
            query.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table.Name });
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) existing[reader.GetString(0)] = reader.GetString(1);
        }
        TableMigration result;
        if (existing.Count == 0)
        {
            if (schemaName != PostgresSinkOptions.DefaultSchema) await ExecuteAsync(connection, tx, $"CREATE SCHEMA IF NOT EXISTS {TableSchema.Quote(schemaName)}", cancellationToken);
            await ExecuteAsync(connection, tx, statements.CreateTable, cancellationToken);
            result = new TableMigration(true, []);
        }
        else
        {
            var added = new List<string>();
            foreach (var column in table.Columns)
            {
                if (existing.TryGetValue(column.Name, out var type))
                {
                    var expected = PostgresStatements.TypeName(column.Type);
                    if (type != expected)
                    {
                        throw new InvalidOperationException($"Table {statements.QualifiedTable}: column '{column.Name}' is {type} in the database but {expected} ({column.Type}) in the pipeline's schema. Alter the column or write to another table.");
                    }
                    continue;
                }
                await ExecuteAsync(connection, tx, statements.AddColumn(column), cancellationToken);
                added.Add(column.Name);
            }
            result = new TableMigration(false, added);
        }
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
