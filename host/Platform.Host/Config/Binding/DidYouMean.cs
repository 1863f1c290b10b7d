namespace Platform.Host.Config.Binding;

/// <summary>Suggests the known word closest to a misspelt one (optimal string alignment distance).</summary>
internal static class DidYouMean
{
    /// <summary>The closest candidate within a small edit distance, or null.</summary>
    public static string? Suggest(string input, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var lowered = input.ToLowerInvariant();
        foreach (var candidate in candidates)
        {
            var distance = Distance(lowered, candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        var limit = Math.Max(2, input.Length / 3);
        return bestDistance <= limit && bestDistance < input.Length ? best : null;
    }

    /// <summary>"did you mean 'x'? known: a, b, c" (the first part only when there is a suggestion).</summary>
    public static string Hint(string input, IReadOnlyCollection<string> candidates, string knownLabel = "known")
    {
        var suggestion = Suggest(input, candidates);
        var known = $"{knownLabel}: {string.Join(", ", candidates)}";
        return suggestion is null ? known : $"did you mean '{suggestion}'? {known}";
    }

    /// <summary>Edit distance with adjacent transpositions counted as one edit.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, d[i - 2, j - 2] + 1);
                }
                d[i, j] = value;
            }
        }
        return d[a.Length, b.Length];
    }
}
