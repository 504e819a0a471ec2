using UniAD.Core.Model;

namespace UniAD.Core.Tests.Model;

public class NeighborMaskTests
{
    [Fact]
    public void NoTokenSeesItsOwnSevenBySevenNeighbourhood()
    {
        using var mask = NeighborMask.Create(14, 14, 7, 7);
        var m = mask.data<float>().ToArray();
        for (int q = 0; q < 196; q++)
        for (int k = 0; k < 196; k++)
        {
            bool near = Math.Abs(q / 14 - k / 14) <= 3 && Math.Abs(q % 14 - k % 14) <= 3;
            Assert.Equal(near ? float.NegativeInfinity : 0f, m[q * 196 + k]);
        }
    }

    [Theory]
    [InlineData(0, 0, 180)]       // corner: a 4x4 neighbourhood is masked, 196 - 16 keys remain
    [InlineData(13, 13, 180)]
    [InlineData(7, 7, 147)]       // interior: 196 - 49
    [InlineData(0, 7, 168)]       // edge: 196 - 4*7
    public void AllowedKeysPerQuery(int h, int w, int allowed)
    {
        using var mask = NeighborMask.Create(14, 14, 7, 7);
        using var row = mask[h * 14 + w];
        Assert.Equal(allowed, row.eq(0).sum().item<long>());
    }

    [Fact]
    public void RectangularGridsAndNeighbourhoods()
    {
        using var mask = NeighborMask.Create(4, 6, 1, 3);   // one row, three columns
        using var row = mask[1 * 6 + 0];                    // token (1, 0)
        var m = row.data<float>().ToArray();
        var masked = Enumerable.Range(0, 24).Where(k => float.IsNegativeInfinity(m[k])).ToArray();
        Assert.Equal(new[] { 6, 7 }, masked);
    }

    [Fact]
    public void ANeighbourhoodCoveringTheWholeGridIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => NeighborMask.Create(7, 7, 7, 7));
        Assert.Contains("covers the whole 7x7 feature grid", error.Message);
        using var justSmallEnough = NeighborMask.Create(8, 7, 7, 7);      // the 8th row stays visible
        Assert.True(justSmallEnough.eq(0).any(1).all().item<bool>());
    }
}
