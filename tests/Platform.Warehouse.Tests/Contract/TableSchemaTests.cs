using Platform.Sinks.Warehouse;

namespace Platform.Warehouse.Tests.Contract;

public sealed class TableSchemaTests
{
    [Theory]
    [InlineData("profiles; DROP TABLE x")]
    [InlineData("'; DROP TABLE customer_profiles; --")]
    [InlineData("a\"b")]
    [InlineData("1abc")]
    [InlineData("")]
    public void Constructor_TableNameNotAnIdentifier_IsRefused(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new TableSchema(name, [new("id", ColumnType.Text)], ["id"]));
        Assert.Contains("not a valid identifier", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NamesInAnyCase_AreFoldedToLowerCase()
    {
        var schema = new TableSchema("CUSTOMER_PROFILES", [new("CUSTOMER_ID", ColumnType.Text), new("Score", ColumnType.Double)], ["Customer_Id"]);
        Assert.Equal("customer_profiles", schema.Name);
        Assert.Equal(["customer_id", "score"], schema.Columns.Select(c => c.Name));
        Assert.Equal([0], schema.KeyIndexes);
    }

    [Fact]
    public void Constructor_NullableKeyOrMissingKey_IsRefused()
    {
        Assert.Contains("must not be nullable", Assert.Throws<ArgumentException>(() => new TableSchema("t", [new("id", ColumnType.Text, Nullable: true)], ["id"])).Message, StringComparison.Ordinal);
        Assert.Contains("at least one key", Assert.Throws<ArgumentException>(() => new TableSchema("t", [new("id", ColumnType.Text)], [])).Message, StringComparison.Ordinal);
        Assert.Contains("not a column", Assert.Throws<ArgumentException>(() => new TableSchema("t", [new("id", ColumnType.Text)], ["other"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_VersionColumnOfTextType_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new TableSchema("t", [new("id", ColumnType.Text), new("v", ColumnType.Text)], ["id"], versionColumn: "v"));
        Assert.Contains("Int64 or Timestamp", error.Message, StringComparison.Ordinal);
    }
}
