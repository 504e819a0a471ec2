// Uploads the file chosen in a file input straight to the lab over HTTP (much faster than through the Blazor
// circuit), reporting progress to .NET at most four times a second. Resolves with the upload id; rejects with the
// problem the lab named (its answer is problem details).
window.uniadUpload = (input, url, dotnet) => new Promise((resolve, reject) => {
    const file = input.files[0];
    if (!file) { resolve(null); return; }
    const request = new XMLHttpRequest();
    let last = 0;
    request.open('POST', url);
    request.upload.onprogress = e => {
        const now = Date.now();
        if (now - last < 250 && e.loaded < e.total) return;
        last = now;
        dotnet.invokeMethodAsync('UploadProgress', e.loaded, e.total);
    };
    request.onload = () => {
        if (request.status >= 200 && request.status < 300) { resolve(JSON.parse(request.responseText).upload); return; }
        let problem = request.statusText;
        try { problem = JSON.parse(request.responseText).detail || problem; } catch { }
        reject(new Error(problem));
    };
    request.onerror = () => reject(new Error('the upload was interrupted'));
    request.send(file);
    input.value = '';
});

window.uniadFileName = input => input.files.length ? input.files[0].name : null;
