using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Platform.Engine.Records;

namespace Platform.Operators.Churn;

/// <summary>The learners <see cref="ChurnTrainer"/> offers.</summary>
public enum ChurnLearner
{
    /// <summary>ML.NET FastTree (gradient-boosted trees).</summary>
    FastTree,
    /// <summary>LightGBM through ML.NET.</summary>
    LightGbm,
}

/// <summary>Training settings.</summary>
public sealed record ChurnTrainingOptions
{
    /// <summary>The learner.</summary>
    public ChurnLearner Learner { get; init; } = ChurnLearner.FastTree;
    /// <summary>Share of customers held out for evaluation.</summary>
    public double TestFraction { get; init; } = 0.2;
    /// <summary>Seed of the split and the learner.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Boosted trees.</summary>
    public int Trees { get; init; } = 150;
    /// <summary>Leaves per tree.</summary>
    public int Leaves { get; init; } = 31;
}

/// <summary>Precision and recall of "churn" at a cut-off on the clamped score.</summary>
/// <param name="Cutoff">Scores above this count as churn.</param>
/// <param name="Precision">Of those flagged, the share that churned.</param>
/// <param name="Recall">Of those that churned, the share flagged.</param>
public readonly record struct CutoffMetrics(double Cutoff, double Precision, double Recall);

/// <summary>What training produced.</summary>
/// <param name="Model">The model and its info (version, AUC).</param>
/// <param name="Schema">The input schema, for saving.</param>
/// <param name="TrainRows">Customers trained on.</param>
/// <param name="TestRows">Customers held out.</param>
/// <param name="Auc">Area under the ROC curve on the held-out customers.</param>
/// <param name="Cutoffs">Precision / recall at 0.4 and 0.7.</param>
/// <param name="Importances">Feature importances (gain), largest first.</param>
public sealed record ChurnTrainingResult(ChurnModel Model, DataViewSchema Schema, int TrainRows, int TestRows, double Auc,
    IReadOnlyList<CutoffMetrics> Cutoffs, IReadOnlyList<(string Feature, double Importance)> Importances);

/// <summary>Trains the churn classifier on feature rows (see <see cref="ChurnDataset"/>) and evaluates it on a held-out split.</summary>
public static class ChurnTrainer
{
    /// <summary>The cut-offs reported: the Medium and High band edges.</summary>
    public static readonly double[] ReportedCutoffs = [0.4, 0.7];

    private sealed class Scored
    {
        public bool Label { get; set; }
        public float Probability { get; set; }
    }

    /// <summary>Trains on <paramref name="rows"/>.</summary>
    public static ChurnTrainingResult Train(IReadOnlyList<ChurnModelInput> rows, ChurnTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        options ??= new ChurnTrainingOptions();
        if (rows.Count < 20) throw new ArgumentException($"Need at least 20 labelled customers to train, got {rows.Count}.");
        if (rows.All(r => r.Label) || rows.All(r => !r.Label)) throw new ArgumentException("The labels are all the same: a classifier needs customers who churned and customers who stayed.");
        var ml = new MLContext(options.Seed);
        var data = ml.Data.LoadFromEnumerable(rows);
        var split = ml.Data.TrainTestSplit(data, options.TestFraction, seed: options.Seed);
        ITransformer model;
        double[] weights;
        var minLeaf = Math.Max(2, Math.Min(20, rows.Count / 200));
        if (options.Learner == ChurnLearner.LightGbm)
        {
            var fitted = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                NumberOfIterations = options.Trees,
                NumberOfLeaves = options.Leaves,
                MinimumExampleCountPerLeaf = minLeaf,
                Seed = options.Seed,
            }).Fit(split.TrainSet);
            model = fitted;
            weights = Weights(fitted.Model.SubModel);
        }
        else
        {
            var fitted = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = options.Trees,
                NumberOfLeaves = options.Leaves,
                MinimumExampleCountPerLeaf = minLeaf,
                NumberOfThreads = 1,
            }).Fit(split.TrainSet);
            model = fitted;
            weights = Weights(fitted.Model.SubModel);
        }
        var predictions = model.Transform(split.TestSet);
        var auc = ml.BinaryClassification.EvaluateNonCalibrated(predictions).AreaUnderRocCurve;
        var scored = ml.Data.CreateEnumerable<Scored>(predictions, reuseRowObject: false).ToList();
        var cutoffs = ReportedCutoffs.Select(c => At(scored, c)).ToArray();
        var total = weights.Sum();
        var importances = ChurnFeatures.Names.Select((name, i) => (name, total > 0 ? weights[i] / total : 0)).OrderByDescending(x => x.Item2).ToArray();
        var info = new ChurnModelInfo($"churn-{options.Learner.ToString().ToLowerInvariant()}-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}",
            options.Learner.ToString(), DateTimeOffset.UtcNow, ChurnFeatures.Names, auc);
        var trainRows = (int)(split.TrainSet.GetRowCount() ?? 0);
        var testRows = scored.Count;
        if (trainRows == 0) trainRows = rows.Count - testRows;
        return new ChurnTrainingResult(new ChurnModel(model, info), data.Schema, trainRows, testRows, auc, cutoffs, importances);
    }

    private static double[] Weights(TreeEnsembleModelParameters trees)
    {
        VBuffer<float> buffer = default;
        trees.GetFeatureWeights(ref buffer);
        var dense = new double[ChurnFeatures.Count];
        var i = 0;
        foreach (var value in buffer.DenseValues()) if (i < dense.Length) dense[i++] = value;
        return dense;
    }

    private static CutoffMetrics At(List<Scored> scored, double cutoff)
    {
        int tp = 0, fp = 0, fn = 0;
        foreach (var s in scored)
        {
            var flagged = CustomerProfileUpdate.Clamp(s.Probability) > cutoff;
            if (flagged && s.Label) tp++;
            else if (flagged) fp++;
            else if (s.Label) fn++;
        }
        return new CutoffMetrics(cutoff, tp + fp == 0 ? 0 : tp / (double)(tp + fp), tp + fn == 0 ? 0 : tp / (double)(tp + fn));
    }
}
