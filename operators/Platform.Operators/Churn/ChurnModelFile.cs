using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;

namespace Platform.Operators.Churn;

/// <summary>What a model file says about itself (stored next to ML.NET's entries in the zip).</summary>
/// <param name="Version">A version label, e.g. "churn-fasttree-20261128T1730Z".</param>
/// <param name="Trainer">FastTree or LightGbm.</param>
/// <param name="TrainedAt">When it was trained.</param>
/// <param name="Features">Feature names in vector order (checked against this build's on load).</param>
/// <param name="Auc">AUC on the held-out split.</param>
public sealed record ChurnModelInfo(string Version, string Trainer, DateTimeOffset TrainedAt, IReadOnlyList<string> Features, double Auc);

/// <summary>A loaded model: the ML.NET transformer and its info.</summary>
/// <param name="Model">The trained pipeline.</param>
/// <param name="Info">Its version and metadata.</param>
public sealed record ChurnModel(ITransformer Model, ChurnModelInfo Info);

/// <summary>Saves and loads churn models: an ML.NET model zip plus a <c>platform-churn-model.json</c> entry with the version.</summary>
public static class ChurnModelFile
{
    /// <summary>The zip entry holding <see cref="ChurnModelInfo"/>.</summary>
    public const string InfoEntry = "platform-churn-model.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically (temp file, then rename).</summary>
    public static void Save(MLContext ml, ITransformer model, DataViewSchema schema, ChurnModelInfo info, string path)
    {
        ArgumentNullException.ThrowIfNull(ml);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        ml.Model.Save(model, schema, temp);
        using (var zip = ZipFile.Open(temp, ZipArchiveMode.Update))
        {
            var entry = zip.CreateEntry(InfoEntry);
            using var stream = entry.Open();
            JsonSerializer.Serialize(stream, info, Json);
        }
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>Loads a model; throws <see cref="InvalidDataException"/> when the file is not a churn model of this build's features.</summary>
    public static ChurnModel Load(MLContext ml, string path)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ChurnModelInfo info;
        using (var zip = ZipFile.OpenRead(path))
        {
            var entry = zip.GetEntry(InfoEntry) ?? throw new InvalidDataException($"{path} has no {InfoEntry}: not a model written by 'platform train churn'.");
            using var stream = entry.Open();
            info = JsonSerializer.Deserialize<ChurnModelInfo>(stream, Json) ?? throw new InvalidDataException($"{path}: empty {InfoEntry}.");
        }
        if (!info.Features.SequenceEqual(ChurnFeatures.Names))
        {
            throw new InvalidDataException($"{path} (version {info.Version}) was trained on other features ({string.Join(",", info.Features)}); retrain it with this build.");
        }
        using var modelStream = File.OpenRead(path);
        var model = ml.Model.Load(modelStream, out _);
        return new ChurnModel(model, info);
    }
}
