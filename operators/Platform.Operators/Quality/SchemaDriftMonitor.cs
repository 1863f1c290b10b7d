using System.Text;
using System.Text.Json;

namespace Platform.Operators.Quality;

/// <summary>Settings of a <see cref="SchemaDriftMonitor"/>.</summary>
public sealed record SchemaDriftOptions
{
    /// <summary>One line is sampled per this many bytes of input (and the first line of every chunk). Default 16 KiB.</summary>
    public int SampleBytes { get; init; } = 16 * 1024;

    /// <summary>Sampled lines that make the baseline schema. Default 200.</summary>
    public int WarmUpSamples { get; init; } = 200;

    /// <summary>Sampled lines per judgement of missing fields and null shares. Default 200.</summary>
    public int WindowSamples { get; init; } = 200;

    /// <summary>A field whose share of nulls in a window exceeds this (and did not in the baseline) raises an alert. Default 0.5.</summary>
    public double NullShare { get; init; } = 0.5;

    /// <summary>A field present in at least 90 % of the baseline is "missing" when its share in a window falls below this fraction of the baseline's. Default 0.5.</summary>
    public double MissingShare { get; init; } = 0.5;

    /// <summary>Throws <see cref="ArgumentException"/> naming an invalid setting.</summary>
    public SchemaDriftOptions Validate()
    {
        if (SampleBytes < 64) throw new ArgumentException($"SampleBytes must be ≥ 64, got {SampleBytes}.");
        if (WarmUpSamples < 1) throw new ArgumentException($"WarmUpSamples must be ≥ 1, got {WarmUpSamples}.");
        if (WindowSamples < 1) throw new ArgumentException($"WindowSamples must be ≥ 1, got {WindowSamples}.");
        if (NullShare is <= 0 or > 1) throw new ArgumentException($"NullShare must be in (0, 1], got {NullShare}.");
        if (MissingShare is <= 0 or > 1) throw new ArgumentException($"MissingShare must be in (0, 1], got {MissingShare}.");
        return this;
    }
}

/// <summary>The JSON types a field has been seen with (a bit mask).</summary>
[Flags]
public enum JsonKinds : byte
{
    /// <summary>None yet.</summary>
    None = 0,
    /// <summary>A string.</summary>
    String = 1,
    /// <summary>A number.</summary>
    Number = 2,
    /// <summary>true or false.</summary>
    Boolean = 4,
    /// <summary>null.</summary>
    Null = 8,
    /// <summary>An object.</summary>
    Object = 16,
    /// <summary>An array.</summary>
    Array = 32,
}

/// <summary>
/// Schema drift of an NDJSON stream, on sampled lines: learns the top-level fields and their JSON types
/// from the first <see cref="SchemaDriftOptions.WarmUpSamples"/> sampled lines, then raises one alert per
/// new field, per new type of a field (retyped), per field that goes missing and per field whose share
/// of nulls rises past <see cref="SchemaDriftOptions.NullShare"/>; a missing or null-share alert re-arms
/// once the field recovers. Sampling costs one line search per <see cref="SchemaDriftOptions.SampleBytes"/>
/// of input, so the monitor stays off the per-record path. Thread-safe (a lock per sampled chunk).
/// </summary>
public sealed class SchemaDriftMonitor
{
    private readonly string _subject;
    private readonly Action<QualityAlert> _raise;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FieldState> _fields = new(StringComparer.Ordinal);
    private readonly List<(string Name, JsonKinds Kind)> _line = [];
    private volatile SchemaDriftOptions _options;
    private long _baselineSamples;
    private long _windowSamples;

    /// <summary>Creates a monitor of the stream <paramref name="subject"/>.</summary>
    public SchemaDriftMonitor(string subject, SchemaDriftOptions options, Action<QualityAlert> raise, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        _subject = subject;
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _raise = raise ?? throw new ArgumentNullException(nameof(raise));
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The settings in effect; a hot reload replaces them and keeps the learned schema.</summary>
    public SchemaDriftOptions Options
    {
        get => _options;
        set => _options = (value ?? throw new ArgumentNullException(nameof(value))).Validate();
    }

    /// <summary>True once the baseline is learned.</summary>
    public bool Learned { get { lock (_gate) return _baselineSamples >= _options.WarmUpSamples; } }

    /// <summary>The learned fields and their types.</summary>
    public IReadOnlyDictionary<string, JsonKinds> Schema
    {
        get { lock (_gate) return _fields.Where(f => f.Value.InBaseline).ToDictionary(f => f.Key, f => f.Value.Kinds, StringComparer.Ordinal); }
    }

    /// <summary>Samples lines of a chunk of whole NDJSON lines: its first line, then one per <see cref="SchemaDriftOptions.SampleBytes"/>.</summary>
    public void Sample(ReadOnlySpan<byte> chunk)
    {
        var step = _options.SampleBytes;
        var start = 0;
        lock (_gate)
        {
            while (start < chunk.Length)
            {
                var rest = chunk[start..];
                var end = rest.IndexOf((byte)'\n');
                var line = end < 0 ? rest : rest[..end];
                ObserveLocked(line);
                // Next sample: the line after the next newline at or past start + step.
                var jump = start + step;
                if (jump >= chunk.Length) break;
                var nl = chunk[jump..].IndexOf((byte)'\n');
                if (nl < 0) break;
                start = jump + nl + 1;
            }
        }
    }

    /// <summary>Observes one line (a JSON object); lines that are not valid JSON objects are ignored (the parser dead-letters them).</summary>
    public void ObserveLine(ReadOnlySpan<byte> line)
    {
        lock (_gate) ObserveLocked(line);
    }

    private void ObserveLocked(ReadOnlySpan<byte> line)
    {
        if (!TryReadFields(line)) return;
        var options = _options;
        var now = _clock.GetUtcNow();
        if (_baselineSamples < options.WarmUpSamples)
        {
            _baselineSamples++;
            foreach (var (name, kind) in _line)
            {
                if (!_fields.TryGetValue(name, out var f)) _fields[name] = f = new FieldState { InBaseline = true };
                f.BaselinePresent++;
                if (kind == JsonKinds.Null) f.BaselineNulls++;
                else f.Kinds |= kind;
            }
            return;
        }
        foreach (var (name, kind) in _line)
        {
            if (!_fields.TryGetValue(name, out var f))
            {
                _fields[name] = f = new FieldState { Kinds = kind == JsonKinds.Null ? JsonKinds.None : kind };
                _raise(new QualityAlert("schema-drift", $"{_subject}.{name}", now, 1, 0, 0,
                    $"new field '{name}' ({Describe(kind)}) in {_subject}; the learned schema has {string.Join(", ", _fields.Where(x => x.Value.InBaseline).Select(x => x.Key).Order(StringComparer.Ordinal))}",
                    QualitySeverity.Warning));
            }
            else if (kind != JsonKinds.Null && (f.Kinds & kind) == 0 && f.Kinds != JsonKinds.None)
            {
                var was = f.Kinds;
                f.Kinds |= kind;
                _raise(new QualityAlert("schema-drift", $"{_subject}.{name}", now, 1, 0, 0,
                    $"field '{name}' of {_subject} changed type: {Describe(kind)}, learned as {Describe(was)}", QualitySeverity.Warning));
            }
            else if (kind != JsonKinds.Null)
            {
                f.Kinds |= kind;
            }
            f.WindowPresent++;
            if (kind == JsonKinds.Null) f.WindowNulls++;
        }
        if (++_windowSamples >= options.WindowSamples) JudgeWindow(options, now);
    }

    private void JudgeWindow(SchemaDriftOptions options, DateTimeOffset now)
    {
        var n = (double)_windowSamples;
        foreach (var (name, f) in _fields)
        {
            if (f.InBaseline)
            {
                var baselineShare = f.BaselinePresent / (double)_baselineSamples;
                var share = f.WindowPresent / n;
                if (baselineShare >= 0.9 && share < baselineShare * options.MissingShare)
                {
                    if (!f.MissingAlerted)
                    {
                        f.MissingAlerted = true;
                        _raise(new QualityAlert("schema-drift", $"{_subject}.{name}", now, share, baselineShare * options.MissingShare, 1,
                            FormattableString.Invariant($"field '{name}' is missing from {_subject}: in {share:P0} of recent records, {baselineShare:P0} when learned"),
                            QualitySeverity.Warning));
                    }
                }
                else
                {
                    f.MissingAlerted = false;
                }
            }
            var nullShare = f.WindowPresent == 0 ? 0 : f.WindowNulls / n;
            var baselineNulls = f.BaselinePresent == 0 ? 0 : f.BaselineNulls / (double)Math.Max(1, _baselineSamples);
            if (nullShare > options.NullShare && baselineNulls <= options.NullShare)
            {
                if (!f.NullAlerted)
                {
                    f.NullAlerted = true;
                    _raise(new QualityAlert("schema-drift", $"{_subject}.{name}", now, nullShare, 0, options.NullShare,
                        FormattableString.Invariant($"field '{name}' of {_subject} is null in {nullShare:P0} of recent records (limit {options.NullShare:P0})"),
                        QualitySeverity.Warning));
                }
            }
            else
            {
                f.NullAlerted = false;
            }
            f.WindowPresent = 0;
            f.WindowNulls = 0;
        }
        _windowSamples = 0;
    }

    private bool TryReadFields(ReadOnlySpan<byte> line)
    {
        _line.Clear();
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject) return true;
                if (reader.TokenType != JsonTokenType.PropertyName) return false;
                var name = reader.GetString() ?? "";
                if (!reader.Read()) return false;
                var kind = reader.TokenType switch
                {
                    JsonTokenType.String => JsonKinds.String,
                    JsonTokenType.Number => JsonKinds.Number,
                    JsonTokenType.True or JsonTokenType.False => JsonKinds.Boolean,
                    JsonTokenType.Null => JsonKinds.Null,
                    JsonTokenType.StartObject => JsonKinds.Object,
                    JsonTokenType.StartArray => JsonKinds.Array,
                    _ => JsonKinds.None,
                };
                if (kind is JsonKinds.Object or JsonKinds.Array && !reader.TrySkip()) return false;
                _line.Add((name, kind));
            }
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Describe(JsonKinds kinds)
    {
        if (kinds == JsonKinds.None) return "no type";
        var sb = new StringBuilder();
        foreach (var k in Enum.GetValues<JsonKinds>())
        {
            if (k == JsonKinds.None || (kinds & k) == 0) continue;
            if (sb.Length > 0) sb.Append('|');
            sb.Append(k.ToString().ToLowerInvariant());
        }
        return sb.ToString();
    }

    private sealed class FieldState
    {
        public bool InBaseline;
        public long BaselinePresent;
        public long BaselineNulls;
        public JsonKinds Kinds;
        public long WindowPresent;
        public long WindowNulls;
        public bool MissingAlerted;
        public bool NullAlerted;
    }
}
