namespace Platform.Sinks.Warehouse;

/// <summary>One column of a <see cref="TableSchema"/>.</summary>
/// <param name="Name">A lower-case SQL identifier (see <see cref="TableSchema.IsValidIdentifier"/>).</param>
/// <param name="Type">Its type.</param>
/// <param name="Nullable">True when a mapping may write <see cref="IRowWriter.WriteNull"/> for it. Key columns are never null.</param>
public sealed record TableColumn(string Name, ColumnType Type, bool Nullable = false);
