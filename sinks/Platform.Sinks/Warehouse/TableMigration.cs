namespace Platform.Sinks.Warehouse;

/// <summary>What opening a table did: created it, added columns, or nothing.</summary>
/// <param name="Created">The table did not exist and was created.</param>
/// <param name="AddedColumns">Columns of the pipeline's schema the table lacked, added (nullable).</param>
public sealed record TableMigration(bool Created, IReadOnlyList<string> AddedColumns);
