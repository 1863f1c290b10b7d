namespace Platform.Host.Config;

/// <summary>
/// One problem in a pipeline file: where it is (1-based line and column; 0 when the problem is
/// the file as a whole), what is wrong, and what to write instead.
/// </summary>
internal sealed record ConfigError(string File, int Line, int Column, string Message, string? Hint = null)
{
    /// <summary><c>file:line:col: error: message</c>, the form editors and CI logs recognise.</summary>
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}:{Column}: error: {Message}" : $"{File}: error: {Message}";
}

/// <summary>The outcome of loading a pipeline file: the model when valid, and every error found.</summary>
internal sealed class ConfigLoadResult
{
    public ConfigLoadResult(PipelineConfig? config, IReadOnlyList<ConfigError> errors)
    {
        Config = errors.Count == 0 ? config : null;
        Errors = errors;
    }

    /// <summary>The pipeline; null when there is any error.</summary>
    public PipelineConfig? Config { get; }

    /// <summary>Every error, in file order.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    /// <summary>True when the file has no error.</summary>
    public bool IsValid => Errors.Count == 0 && Config is not null;
}
