using UniAD.Core;

namespace UniAD.Lab;

/// <summary>Files a browser or client posts, streamed to <c>uploads/</c> (never into memory) up to
/// <see cref="LabOptions.MaxUploadBytes"/> and named by a GUID, so nothing a client sends can name another file.</summary>
public static class Uploads
{
    /// <returns>The upload's id.</returns>
    public static async Task<string> SaveAsync(LabOptions options, Stream upload, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(options.UploadsFolder);
        string id = Guid.NewGuid().ToString("N");
        var path = PathOf(options, id);
        try
        {
            await using var file = File.Create(path);
            var buffer = new byte[1 << 20];
            long total = 0;
            for (int n; (n = await upload.ReadAsync(buffer, cancel)) > 0;)
            {
                total += n;
                if (total > options.MaxUploadBytes)
                    throw new TooLargeException($"the upload is larger than the limit of {options.MaxUploadBytes / (double)(1L << 30):0.#} GiB (Lab:MaxUploadBytes)");
                await file.WriteAsync(buffer.AsMemory(0, n), cancel);
            }
            return id;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <exception cref="UserException">Not an upload id.</exception>
    public static string PathOf(LabOptions options, string id) =>
        Guid.TryParseExact(id, "N", out _) ? Path.Combine(options.UploadsFolder, $"{id}.upload") : throw new UserException($"invalid upload id '{id}'");
}
