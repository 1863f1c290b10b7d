using Platform.Host.Benchmarks;

namespace Platform.Bench.Peers;

/// <summary>The parse stage alone with System.Text.Json's source-generated deserializer (the peers' parser).</summary>
public sealed class SystemTextJsonParseEngine : IParseEngine
{
    /// <inheritdoc />
    public string Name => "system-text-json";

    /// <inheritdoc />
    public void Prepare(IReadOnlyList<byte[]> blocks) => Parse(blocks);

    /// <inheritdoc />
    public long Parse(IReadOnlyList<byte[]> blocks)
    {
        long valid = 0;
        foreach (var block in blocks)
        {
            ReadOnlySpan<byte> rest = block;
            while (!rest.IsEmpty)
            {
                var n = rest.IndexOf((byte)'\n');
                var line = n < 0 ? rest : rest[..n];
                rest = n < 0 ? default : rest[(n + 1)..];
                if (!line.IsEmpty && PeerParsing.TryParse(line, out _)) valid++;
            }
        }
        return valid;
    }
}
