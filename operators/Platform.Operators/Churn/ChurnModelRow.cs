using Microsoft.ML.Data;

namespace Platform.Operators.Churn;

/// <summary>One training / scoring row for ML.NET: the feature vector and, for training, the label.</summary>
public sealed class ChurnModelInput
{
    /// <summary>The features, <see cref="ChurnFeatures"/> order.</summary>
    [VectorType(ChurnFeatures.Count)]
    [ColumnName("Features")]
    public float[] Features { get; set; } = new float[ChurnFeatures.Count];

    /// <summary>True when the customer churned (training only).</summary>
    [ColumnName("Label")]
    public bool Label { get; set; }
}

/// <summary>ML.NET's binary-classifier output; reused across predictions.</summary>
public sealed class ChurnModelOutput
{
    /// <summary>The calibrated probability of churn.</summary>
    [ColumnName("Probability")]
    public float Probability { get; set; }

    /// <summary>The raw score.</summary>
    [ColumnName("Score")]
    public float Score { get; set; }

    /// <summary>The thresholded label.</summary>
    [ColumnName("PredictedLabel")]
    public bool PredictedLabel { get; set; }
}
