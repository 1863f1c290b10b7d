using YamlDotNet.RepresentationModel;

namespace Platform.Host.Config.Binding;

/// <summary>What binders share while one file is bound: the error list and the folders paths resolve against.</summary>
internal sealed class BindContext
{
    private readonly List<ConfigError> _errors = [];

    public BindContext(string fileName, string configDirectory, string workingDirectory)
    {
        FileName = fileName;
        ConfigDirectory = configDirectory;
        WorkingDirectory = workingDirectory;
    }

    /// <summary>The file name as the user gave it; errors carry it.</summary>
    public string FileName { get; }

    /// <summary>The YAML file's folder: input paths resolve against it.</summary>
    public string ConfigDirectory { get; }

    /// <summary>The current working directory: output paths resolve against it.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The runtime section, bound before the source and sinks so they can default to it.</summary>
    public RuntimeConfig Runtime { get; set; } = RuntimeConfig.Default;

    /// <summary>The steps bound so far, in order (a step may depend on an earlier one, e.g. on key-by's fields).</summary>
    public List<StepConfig> StepsSoFar { get; } = [];

    /// <summary>The errors so far.</summary>
    public IReadOnlyList<ConfigError> Errors => _errors;

    /// <summary>Records an error at a node's start.</summary>
    public void Error(YamlNode? node, string message, string? hint = null) =>
        _errors.Add(new ConfigError(
            FileName,
            node is null ? 0 : (int)node.Start.Line,
            node is null ? 0 : (int)node.Start.Column,
            message,
            hint));

    /// <summary>Records an error at a given position.</summary>
    public void Error(int line, int column, string message, string? hint = null) =>
        _errors.Add(new ConfigError(FileName, line, column, message, hint));

    /// <summary>An input path resolved against the YAML file's folder.</summary>
    public string ResolveInput(string path) => Path.GetFullPath(path, ConfigDirectory);

    /// <summary>An output path resolved against the working directory.</summary>
    public string ResolveOutput(string path) => Path.GetFullPath(path, WorkingDirectory);
}
