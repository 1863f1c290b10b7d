using Platform.Engine.Symbols;

namespace Platform.Engine.Records;

/// <summary>Churn risk bands (seed 004 §3): High above 0.7, Medium above 0.4, else Low.</summary>
public enum ChurnRiskCategory : byte
{
    /// <summary>Score ≤ 0.4.</summary>
    Low,
    /// <summary>0.4 &lt; score ≤ 0.7.</summary>
    Medium,
    /// <summary>Score &gt; 0.7.</summary>
    High,
}

/// <summary>
/// A customer's churn score and profile features at one moment: the payload of an <c>identify</c> trait update
/// (churn_risk_score, churn_risk_category, churn_model_version, churn_scored_at) and one row of
/// <c>CUSTOMER_PROFILES</c> (upserted by <see cref="CustomerId"/>). Emitted when a user's score changes.
/// </summary>
public struct CustomerProfileUpdate
{
    /// <summary>The customer (user id; the anonymous id for users never identified).</summary>
    public Symbol CustomerId;
    /// <summary>When the score was computed, in event time (Unix ms).</summary>
    public long ScoredAt;
    /// <summary>The churn probability, clamped to [0.05, 0.95].</summary>
    public double Score;
    /// <summary>The band of <see cref="Score"/>.</summary>
    public ChurnRiskCategory Category;
    /// <summary>True when a trained model scored; false for the rule-based heuristic.</summary>
    public bool FromModel;
    /// <summary>The model's version ("heuristic-v1" for the rules), interned.</summary>
    public Symbol ModelVersion;
    /// <summary>First event of the customer (Unix ms).</summary>
    public long FirstSeen;
    /// <summary>Last activity (Unix ms).</summary>
    public long LastActivity;
    /// <summary>Sum of deposit amounts.</summary>
    public double TotalDeposits;
    /// <summary>Sum of withdrawal amounts.</summary>
    public double TotalWithdrawals;
    /// <summary>Deposits made.</summary>
    public int DepositCount;
    /// <summary>Withdrawals made.</summary>
    public int WithdrawalCount;
    /// <summary>Latest gaming level (0 when unknown).</summary>
    public int GamingLevel;
    /// <summary>Whether Twitch is linked.</summary>
    public bool TwitchLinked;
    /// <summary>Bookings in the 30 days up to <see cref="ScoredAt"/>.</summary>
    public int BookingsLastMonth;
    /// <summary>Sessions in the 30 days up to <see cref="ScoredAt"/>.</summary>
    public int Sessions30d;

    /// <summary>The band of a clamped score: &gt; 0.7 High, &gt; 0.4 Medium, else Low.</summary>
    public static ChurnRiskCategory CategoryOf(double score) => score > 0.7 ? ChurnRiskCategory.High : score > 0.4 ? ChurnRiskCategory.Medium : ChurnRiskCategory.Low;

    /// <summary>Clamps a probability to [0.05, 0.95] (NaN counts as the middle).</summary>
    public static double Clamp(double probability) => double.IsNaN(probability) ? 0.5 : Math.Clamp(probability, 0.05, 0.95);

    /// <summary>"Low", "Medium", "High".</summary>
    public static string NameOf(ChurnRiskCategory category) => category switch
    {
        ChurnRiskCategory.High => "High",
        ChurnRiskCategory.Medium => "Medium",
        _ => "Low",
    };
}
