using static TorchSharp.torch;

namespace UniAD.Core.Tests;

public class TorchLoadsTests
{
    [Fact]
    public void TorchSharpNativeLibraryLoadsAndComputes()
    {
        using var sum = ones(3, 4).sum();
        Assert.Equal(12f, sum.item<float>());
    }
}
