namespace Platform.Bench;

/// <summary>The <c>--name value</c> options of a workload's argument list.</summary>
internal static class BenchArgs
{
    public static string Value(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
