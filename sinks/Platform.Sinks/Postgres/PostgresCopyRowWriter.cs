using Npgsql;
using NpgsqlTypes;
using Platform.Sinks.Warehouse;

namespace Platform.Sinks.Postgres;

/// <summary>Writes a mapping's values into Npgsql's binary COPY importer, checking them against the schema. No boxing: Npgsql's generic Write keeps a typed parameter per column.</summary>
internal struct PostgresCopyRowWriter(NpgsqlBinaryImporter importer, TableSchema schema) : IRowWriter
{
    private ColumnCursor _cursor = new(schema);

    public void WriteText(string? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }
        _cursor.Next(ColumnType.Text);
        importer.Write(value, NpgsqlDbType.Text);
    }

    public void WriteBoolean(bool value)
    {
        _cursor.Next(ColumnType.Boolean);
        importer.Write(value, NpgsqlDbType.Boolean);
    }

    public void WriteInt32(int value)
    {
        _cursor.Next(ColumnType.Int32);
        importer.Write(value, NpgsqlDbType.Integer);
    }

    public void WriteInt64(long value)
    {
        _cursor.Next(ColumnType.Int64);
        importer.Write(value, NpgsqlDbType.Bigint);
    }

    public void WriteDouble(double value)
    {
        _cursor.Next(ColumnType.Double);
        importer.Write(value, NpgsqlDbType.Double);
    }

    public void WriteTimestamp(long unixMs)
    {
        _cursor.Next(ColumnType.Timestamp);
        importer.Write(DateTime.UnixEpoch.AddTicks(unixMs * TimeSpan.TicksPerMillisecond), NpgsqlDbType.TimestampTz);
    }

    public void WriteNull()
    {
        _cursor.NextNull();
        importer.WriteNull();
    }

    /// <summary>Checks the row is complete and writes the staging sequence number that orders duplicates.</summary>
    public void EndRow(long sequence)
    {
        _cursor.EndRow();
        importer.Write(sequence, NpgsqlDbType.Bigint);
    }
}
