using System.Globalization;
using System.Text.Json;

namespace Platform.Engine.Checkpoints;

/// <summary>One file of a checkpoint, as its manifest records it.</summary>
/// <param name="Name">File name inside the checkpoint folder.</param>
/// <param name="Bytes">Its length.</param>
/// <param name="Hash">XxHash64 of its bytes.</param>
public sealed record CheckpointFile(string Name, long Bytes, ulong Hash);

/// <summary>
/// The <c>_checkpoint</c> file of a complete checkpoint (JSON, written last and atomically: a checkpoint
/// folder without it is partial). Names every part with its length and checksum.
/// </summary>
/// <param name="Id">Checkpoint id (1, 2, … over the life of the checkpoint folder).</param>
/// <param name="CreatedUtc">When it completed.</param>
/// <param name="Pipeline">The pipeline's name.</param>
/// <param name="Fingerprint">The pipeline's stages (source → … → sinks); a restore into another shape is refused.</param>
/// <param name="Workers">Keyed workers: a restore needs the same count.</param>
/// <param name="SourceName">The source's name.</param>
/// <param name="Positions">Opaque source positions per partition (see <see cref="Contracts.ICheckpointableSource"/>).</param>
/// <param name="Files">Worker states (<c>worker-&lt;i&gt;.bin</c>) and participant states (<c>participant-&lt;name&gt;.bin</c>).</param>
/// <param name="WorkerFormat">Format version of the worker files' header.</param>
/// <param name="DurationMs">From barrier injection to completion.</param>
/// <param name="AlignmentMs">Longest time a worker waited for barriers from the others.</param>
public sealed record CheckpointManifest(
    long Id, DateTimeOffset CreatedUtc, string Pipeline, string Fingerprint, int Workers, string SourceName,
    IReadOnlyList<byte[]> Positions, IReadOnlyList<CheckpointFile> Files, int WorkerFormat, double DurationMs, double AlignmentMs)
{
    /// <summary>Format version of the manifest itself.</summary>
    public const int FormatVersion = 1;

    /// <summary>Total bytes of the checkpoint's state files.</summary>
    public long Bytes => Files.Sum(f => f.Bytes);

    internal byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("format", FormatVersion);
            w.WriteNumber("id", Id);
            w.WriteString("createdUtc", CreatedUtc.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("pipeline", Pipeline);
            w.WriteString("fingerprint", Fingerprint);
            w.WriteNumber("workers", Workers);
            w.WriteNumber("workerFormat", WorkerFormat);
            w.WriteNumber("durationMs", Math.Round(DurationMs, 3));
            w.WriteNumber("alignmentMs", Math.Round(AlignmentMs, 3));
            w.WriteStartObject("source");
            w.WriteString("name", SourceName);
            w.WriteStartArray("positions");
            foreach (var p in Positions) w.WriteBase64StringValue(p);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartArray("files");
            foreach (var f in Files)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                w.WriteNumber("bytes", f.Bytes);
                w.WriteString("xxhash64", f.Hash.ToString("x16", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Parses a manifest; throws <see cref="InvalidDataException"/> saying what is wrong.</summary>
    internal static CheckpointManifest FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var r = doc.RootElement;
            var format = r.GetProperty("format").GetInt32();
            if (format != FormatVersion)
                throw new InvalidDataException($"manifest format version {format} is not supported; this build reads version {FormatVersion}");
            var source = r.GetProperty("source");
            return new CheckpointManifest(
                r.GetProperty("id").GetInt64(),
                DateTimeOffset.Parse(r.GetProperty("createdUtc").GetString()!, CultureInfo.InvariantCulture),
                r.GetProperty("pipeline").GetString()!,
                r.GetProperty("fingerprint").GetString()!,
                r.GetProperty("workers").GetInt32(),
                source.GetProperty("name").GetString()!,
                [.. source.GetProperty("positions").EnumerateArray().Select(p => p.GetBytesFromBase64())],
                [.. r.GetProperty("files").EnumerateArray().Select(f => new CheckpointFile(
                    f.GetProperty("name").GetString()!,
                    f.GetProperty("bytes").GetInt64(),
                    ulong.Parse(f.GetProperty("xxhash64").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture)))],
                r.GetProperty("workerFormat").GetInt32(),
                r.GetProperty("durationMs").GetDouble(),
                r.GetProperty("alignmentMs").GetDouble());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or OverflowException)
        {
            throw new InvalidDataException($"manifest is not valid: {e.Message}", e);
        }
    }
}
