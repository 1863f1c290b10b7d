using System.Runtime.CompilerServices;

namespace Platform.Host.Tests;

/// <summary>Finds files of the repository from a test, wherever the build output went.</summary>
internal static class RepoPaths
{
    /// <summary>
    /// The folder holding Platform.sln: walked up to from the test's base directory, or, when the
    /// build output lives outside the tree (<c>--artifacts-path</c>), from this source file.
    /// </summary>
    public static string Root => FindRoot(AppContext.BaseDirectory) ?? FindRoot(ThisFile()) ??
        throw new InvalidOperationException("Platform.sln not found above " + AppContext.BaseDirectory);

    /// <summary>The sample pipeline.</summary>
    public static string SamplePipeline => Path.Combine(Root, "samples", "iot-anomaly", "pipeline.yaml");

    private static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }

    private static string ThisFile([CallerFilePath] string path = "") => Path.GetDirectoryName(path) ?? path;
}

/// <summary>A temporary folder deleted at dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "platform-host-tests-" + Guid.NewGuid().ToString("N"));

    public string Write(string relativePath, string text)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
