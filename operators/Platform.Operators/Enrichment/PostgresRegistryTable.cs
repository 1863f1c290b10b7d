using System.Data.Common;
using System.Text.RegularExpressions;
using Npgsql;
using Platform.Engine.Symbols;

namespace Platform.Operators.Enrichment;

/// <summary>
/// A device registry kept in a PostgreSQL table with columns <c>device, owner, site, model</c> and optionally
/// <c>threshold_low, threshold_high</c> (any numeric type, NULL = none). Each load reads the whole table in one
/// query (streamed, not buffered) on the calling thread; <see cref="RegistryHandle"/> calls it off the stream.
/// </summary>
public sealed partial class PostgresRegistryTable
{
    private readonly string _connectionString;
    private readonly string _query;

    /// <summary>Reads <paramref name="schema"/>.<paramref name="table"/> through <paramref name="connectionString"/>.</summary>
    /// <exception cref="ArgumentException">The schema or table is not a plain SQL identifier.</exception>
    public PostgresRegistryTable(string connectionString, string schema, string table)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        foreach (var (name, value) in new[] { ("schema", schema), ("table", table) })
        {
            if (!Identifier().IsMatch(value ?? "")) throw new ArgumentException($"The registry {name} must be an SQL identifier (letters, digits, '_'), got '{value}'.", name);
        }
        _connectionString = connectionString;
        // Identifiers checked above and quoted; no value is ever part of the text.
        _query = $"SELECT * FROM \"{schema}\".\"{table}\"";
        Describe = $"PostgreSQL table {schema}.{table}";
    }

    /// <summary>"PostgreSQL table schema.table", for messages.</summary>
    public string Describe { get; }

    /// <summary>Reads the table.</summary>
    /// <exception cref="IOException">The server cannot be reached or the query fails.</exception>
    /// <exception cref="InvalidDataException">A required column is missing or a threshold is not a number.</exception>
    public DeviceRegistry Load(SymbolTable symbols)
    {
        try
        {
            using var connection = new NpgsqlConnection(_connectionString);
            connection.Open();
            using var command = new NpgsqlCommand(_query, connection);
            using var reader = command.ExecuteReader();
            var device = Column(reader, "device", required: true);
            var owner = Column(reader, "owner", required: true);
            var site = Column(reader, "site", required: true);
            var model = Column(reader, "model", required: true);
            var low = Column(reader, "threshold_low", required: false);
            var high = Column(reader, "threshold_high", required: false);
            var rows = new RegistryRows(symbols);
            while (reader.Read())
            {
                rows.Add(Text(reader, device), Text(reader, owner), Text(reader, site), Text(reader, model), Number(reader, low), Number(reader, high));
            }
            return rows.Build();
        }
        catch (DbException e)
        {
            throw new IOException($"{Describe}: {e.Message}", e);
        }
        catch (InvalidCastException e)
        {
            throw new InvalidDataException($"{Describe}: {e.Message}", e);
        }
    }

    private int Column(DbDataReader reader, string name, bool required)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (string.Equals(reader.GetName(i), name, StringComparison.OrdinalIgnoreCase)) return i;
        }
        return required ? throw new InvalidDataException($"{Describe}: the device registry needs a '{name}' column.") : -1;
    }

    private static string Text(DbDataReader reader, int column) => reader.IsDBNull(column) ? "" : Convert.ToString(reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private static double Number(DbDataReader reader, int column) =>
        column < 0 || reader.IsDBNull(column) ? double.NaN : Convert.ToDouble(reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
