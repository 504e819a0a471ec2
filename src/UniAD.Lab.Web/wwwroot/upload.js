// Uploads the file chosen in a file input straight to the lab over HTTP (much faster than through the Blazor
// circuit), reporting progress to .NET at most four times a second. Resolves with the upload id; rejects with the
// problem the lab named (its answer is problem details). A signed-in browser sends the lab's antiforgery token with it.
window.uniadUpload = async (input, url, dotnet) => {
    const file = input.files[0];
    if (!file) return null;
    const antiforgery = await fetch('/account/antiforgery', { credentials: 'same-origin' });
    if (!antiforgery.ok) throw new Error(`the lab refused the upload (${antiforgery.status}): sign in again`);
    const token = (await antiforgery.json()).token;
    return await new Promise((resolve, reject) => send(file, input, url, token, dotnet, resolve, reject));
};

function send(file, input, url, token, dotnet, resolve, reject) {
    const request = new XMLHttpRequest();
    let last = 0;
    request.open('POST', url);
    request.setRequestHeader('RequestVerificationToken', token);
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
}

window.uniadFileName = input => input.files.length ? input.files[0].name : null;
