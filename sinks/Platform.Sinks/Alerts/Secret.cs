namespace Platform.Sinks.Alerts;

/// <summary>
/// A credential read from an environment variable or a secrets file — never from the pipeline
/// YAML itself. <see cref="ToString"/> redacts, so a secret that reaches a log or an exception
/// message shows as <c>***</c>.
/// </summary>
public sealed class Secret
{
    private readonly string _value;

    private Secret(string value, string origin)
    {
        _value = value;
        Origin = origin;
    }

    /// <summary>Where the value came from (<c>env:NAME</c> or <c>file:path#KEY</c>), safe to show.</summary>
    public string Origin { get; }

    /// <summary>The secret value. Use it only to build a request; never log it.</summary>
    public string Reveal() => _value;

    /// <summary>Always <c>***</c> plus the origin: the value is never printed.</summary>
    public override string ToString() => $"*** ({Origin})";

    /// <summary>Reads environment variable <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">The variable is not set or empty.</exception>
    public static Secret FromEnvironment(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidOperationException($"Secret environment variable '{name}' is not set.");
        }
        return new Secret(value, "env:" + name);
    }

    /// <summary>
    /// Reads <paramref name="key"/> from a secrets file of <c>KEY=VALUE</c> lines (blank lines and
    /// lines starting with <c>#</c> are skipped; surrounding quotes on the value are removed).
    /// </summary>
    /// <exception cref="InvalidOperationException">The file has no such key.</exception>
    public static Secret FromFile(string path, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !line.AsSpan(0, eq).Trim().SequenceEqual(key)) continue;
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0]) value = value[1..^1];
            return new Secret(value, $"file:{path}#{key}");
        }
        throw new InvalidOperationException($"Secrets file '{path}' has no key '{key}'.");
    }

    /// <summary>
    /// Resolves a reference: <c>env:NAME</c> or <c>file:/path/to/secrets#KEY</c>. A literal value is
    /// refused, so secrets cannot be pasted into configuration.
    /// </summary>
    /// <exception cref="ArgumentException">The reference is neither form.</exception>
    public static Secret Resolve(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (reference.StartsWith("env:", StringComparison.Ordinal)) return FromEnvironment(reference[4..]);
        if (reference.StartsWith("file:", StringComparison.Ordinal))
        {
            var hash = reference.LastIndexOf('#');
            if (hash > 5) return FromFile(reference[5..hash], reference[(hash + 1)..]);
        }
        throw new ArgumentException("A secret must be 'env:NAME' or 'file:PATH#KEY'; literal secrets are not accepted.", nameof(reference));
    }

    /// <summary>Wraps a value held in memory (tests, or a host that fetched it from a vault).</summary>
    public static Secret FromValue(string value, string origin = "memory")
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return new Secret(value, origin);
    }
}
