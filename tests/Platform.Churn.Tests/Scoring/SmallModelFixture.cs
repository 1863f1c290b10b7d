using Platform.Connectors.Generator.Customers;
using Platform.Operators.Churn;

namespace Platform.Churn.Tests.Scoring;

/// <summary>One small generated data set and a model trained on it (≤ 5 k users: ML.NET on a loaded 2-core box is slow).</summary>
public sealed class SmallModelFixture : IDisposable
{
    public SmallModelFixture()
    {
        Folder = Directory.CreateTempSubdirectory("churn-model-").FullName;
        EventsPath = Path.Combine(Folder, "events.ndjson");
        LabelsPath = Path.Combine(Folder, "labels.csv");
        using (var generator = new CustomerGenerator(new CustomerGeneratorOptions { Users = 2000, Seed = 11, Days = 60 }))
        {
            using (var stream = File.Create(EventsPath)) generator.WriteToAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
            generator.WriteLabels(LabelsPath);
            Labels = generator.Labels.ToDictionary(l => l.UserId, l => l.Churned);
        }
        Dataset = ChurnDataset.FromEvents(EventsPath);
        Result = ChurnTrainer.Train(Dataset.Join(Labels, out _), new ChurnTrainingOptions { Trees = 40, Leaves = 16 });
        ModelPath = Path.Combine(Folder, "model.zip");
        ChurnModelFile.Save(new Microsoft.ML.MLContext(1), Result.Model.Model, Result.Schema, Result.Model.Info, ModelPath);
    }

    public string Folder { get; }
    public string EventsPath { get; }
    public string LabelsPath { get; }
    public string ModelPath { get; }
    public Dictionary<string, bool> Labels { get; }
    public ChurnDataset Dataset { get; }
    public ChurnTrainingResult Result { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>The suites that share one <see cref="SmallModelFixture"/> (trained once per run).</summary>
[CollectionDefinition(Name)]
public sealed class SmallModelCollection : ICollectionFixture<SmallModelFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "small churn model";
}
