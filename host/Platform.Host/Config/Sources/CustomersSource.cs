using Platform.Connectors.Generator.Customers;
using Platform.Host.Config.Binding;

namespace Platform.Host.Config.Sources;

/// <summary>The synthetic CDP customers generator (<c>type: customers</c>, format segment-json).</summary>
/// <param name="Users">Customers (<c>users</c>, ≥ 1).</param>
/// <param name="Seed">Random seed (<c>seed</c>).</param>
/// <param name="Days">Days of events (<c>days</c>, ≥ 7).</param>
/// <param name="ChurnShare">Share of customers who churn (<c>churn-share</c>, 0..1).</param>
/// <param name="BatchShare">Share of sessions sent as Segment batch lines (<c>batch-share</c>, 0..1).</param>
/// <param name="MalformedShare">Share of malformed lines (<c>malformed-share</c>, 0..1).</param>
/// <param name="Rate">Lines per second (<c>rate</c>, ≥ 0; 0 = as fast as possible).</param>
internal sealed record CustomersSourceConfig(int Users, long Seed, int Days, double ChurnShare, double BatchShare, double MalformedShare, double Rate) : SourceConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "customers";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <summary>The generator's options.</summary>
    public CustomerGeneratorOptions ToOptions() => new()
    {
        Users = Users,
        Seed = Seed,
        Days = Days,
        ChurnShare = ChurnShare,
        BatchShare = BatchShare,
        MalformedShare = MalformedShare,
    };
}

/// <summary>Binds <c>source: { type: customers }</c>.</summary>
internal static class CustomersSource
{
    /// <summary>The registry entry.</summary>
    public static SourceKind Kind { get; } = new(CustomersSourceConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SourceConfig config)
    {
        var c = (CustomersSourceConfig)config;
        return
        [
            ConfigYaml.Pair("users", ConfigYaml.Number(c.Users)),
            ConfigYaml.Pair("seed", ConfigYaml.Number(c.Seed)),
            ConfigYaml.Pair("days", ConfigYaml.Number(c.Days)),
            ConfigYaml.Pair("churn-share", ConfigYaml.Number(c.ChurnShare)),
            ConfigYaml.Pair("batch-share", ConfigYaml.Number(c.BatchShare)),
            ConfigYaml.Pair("malformed-share", ConfigYaml.Number(c.MalformedShare)),
            ConfigYaml.Pair("rate", ConfigYaml.Number(c.Rate)),
        ];
    }

    private static CustomersSourceConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var users = reader.Int32("users", CustomerGeneratorOptions.DefaultUsers, min: 1, max: 50_000_000);
        var seed = reader.Int64("seed", CustomerGeneratorOptions.DefaultSeed);
        var days = reader.Int32("days", 90, min: 7, max: 3650);
        var churn = reader.Double("churn-share", 0.3, 0, 1);
        var batch = reader.Double("batch-share", 0, 0, 1);
        var malformed = reader.Double("malformed-share", 0, 0, 1);
        var rate = reader.Double("rate", 0, 0);
        return reader.Context.Errors.Count == errors ? new CustomersSourceConfig(users, seed, days, churn, batch, malformed, rate) : null;
    }
}
