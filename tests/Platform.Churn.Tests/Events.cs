using System.Globalization;
using System.Text;
using Platform.Engine.Batching;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;

namespace Platform.Churn.Tests;

/// <summary>Builds Segment lines and parses them the way a pipeline does.</summary>
internal static class Events
{
    public static readonly DateTimeOffset Day0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    public static string Time(double days) => Day0.AddDays(days).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Track(string user, string name, double day, string properties = "{}") =>
        $"{{\"type\":\"track\",\"userId\":\"{user}\",\"event\":\"{name}\",\"properties\":{properties},\"timestamp\":\"{Time(day)}\"}}";

    public static string AnonymousPage(string anon, double day) =>
        $"{{\"type\":\"page\",\"anonymousId\":\"{anon}\",\"name\":\"Home\",\"timestamp\":\"{Time(day)}\"}}";

    public static string Identify(string user, double day, string traits) =>
        $"{{\"type\":\"identify\",\"userId\":\"{user}\",\"traits\":{traits},\"timestamp\":\"{Time(day)}\"}}";

    public static string Alias(string previous, string user, double day) =>
        $"{{\"type\":\"alias\",\"previousId\":\"{previous}\",\"userId\":\"{user}\",\"timestamp\":\"{Time(day)}\"}}";

    public static CustomerEvent[] Parse(SymbolTable symbols, params string[] lines)
    {
        var batch = new BatchPool<CustomerEvent>(64).Rent();
        var dead = new CollectingDeadLetters();
        new SegmentNdjsonParser<CdpProjection>(symbols).Parse(Encoding.UTF8.GetBytes(string.Join("\n", lines)), "test", 0, 0, batch, dead);
        Assert.Empty(dead.Letters);
        return batch.Items.ToArray();
    }
}

/// <summary>Collects operator output.</summary>
internal sealed class ListOutput<T> : IBatchOutput<T>
{
    public List<T> Items { get; } = [];

    public void Emit(in T record) => Items.Add(record);
}
