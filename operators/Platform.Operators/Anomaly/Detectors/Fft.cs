namespace Platform.Operators.Anomaly.Detectors;

/// <summary>In-place iterative radix-2 complex FFT of one fixed size, with precomputed twiddles and scratch.</summary>
internal sealed class Fft
{
    private readonly double[] _cos;
    private readonly double[] _sin;
    private readonly int[] _rev;

    public Fft(int n)
    {
        if (n < 2 || (n & (n - 1)) != 0) throw new ArgumentException($"FFT size must be a power of two, got {n}.", nameof(n));
        N = n;
        Re = new double[n];
        Im = new double[n];
        Work = new double[n];
        _cos = new double[n / 2];
        _sin = new double[n / 2];
        for (var k = 0; k < n / 2; k++)
        {
            _cos[k] = Math.Cos(2 * Math.PI * k / n);
            _sin[k] = Math.Sin(2 * Math.PI * k / n);
        }
        _rev = new int[n];
        var bits = System.Numerics.BitOperations.Log2((uint)n);
        for (var i = 0; i < n; i++)
        {
            var r = 0;
            for (var b = 0; b < bits; b++) if ((i & (1 << b)) != 0) r |= 1 << (bits - 1 - b);
            _rev[i] = r;
        }
    }

    public int N { get; }
    public double[] Re { get; }
    public double[] Im { get; }
    /// <summary>Scratch for callers (one value per bin).</summary>
    public double[] Work { get; }

    /// <summary>Transforms <see cref="Re"/>/<see cref="Im"/> in place; inverse includes the 1/n scaling.</summary>
    public void Transform(bool inverse)
    {
        var re = Re;
        var im = Im;
        var n = N;
        for (var i = 0; i < n; i++)
        {
            var j = _rev[i];
            if (j > i)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }
        var sign = inverse ? 1.0 : -1.0;
        for (var len = 2; len <= n; len <<= 1)
        {
            var half = len >> 1;
            var step = n / len;
            for (var i = 0; i < n; i += len)
            {
                for (var k = 0; k < half; k++)
                {
                    var wr = _cos[k * step];
                    var wi = sign * _sin[k * step];
                    var a = i + k;
                    var b = a + half;
                    var tr = re[b] * wr - im[b] * wi;
                    var ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
        if (inverse)
        {
            var s = 1.0 / n;
            for (var i = 0; i < n; i++)
            {
                re[i] *= s;
                im[i] *= s;
            }
        }
    }
}
