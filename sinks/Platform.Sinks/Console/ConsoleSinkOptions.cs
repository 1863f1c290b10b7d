namespace Platform.Sinks.Console;

/// <summary>How a <see cref="ConsoleWindowSink"/> prints. Immutable; <see cref="Validate"/> checks it.</summary>
public sealed record ConsoleSinkOptions
{
    /// <summary>Default sink name.</summary>
    public const string DefaultName = "console";

    /// <summary>Rows printed at most (the rest are counted and summarised on dispose); 0 = all.</summary>
    public long MaxRows { get; init; }

    /// <summary>The sink's name in logs and metrics.</summary>
    public string Name { get; init; } = DefaultName;

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxRows < 0) throw new ArgumentException($"MaxRows must be >= 0 (0 = all), got {MaxRows}.");
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Name must not be empty.");
    }
}
