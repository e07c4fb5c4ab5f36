const DEFAULT_TIMEOUT_MS = 5000;

function withTimeout(promise, ms) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out')), ms);
        promise.then(
            (value) => {
                clearTimeout(timer);
                resolve(value);
            },
            (error) => {
                clearTimeout(timer);
                reject(error);
            },
        );
    });
}

async function fetchJson(url, options = {}) {
    const response = await fetch(url, options);
    return response.json();
}

async function fetchUser(id) {
    return fetchJson(`/api/users/${id}`);
}

module.exports = { withTimeout, fetchJson, fetchUser };
