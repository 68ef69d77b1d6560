// Sign-in with a browser wallet (EIP-1193): asks the wallet to personal_sign the page's message with the
// selected account, fills in address and signature, and submits the form. Without a wallet the button stays
// hidden and the signature can be pasted from any tool that does EIP-191 personal_sign.
const form = document.getElementById("sign-in-form");
const button = document.getElementById("sign-with-wallet");
const message = document.getElementById("sign-in-message").textContent;

function hexOfUtf8(text) {
  return "0x" + Array.from(new TextEncoder().encode(text), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

if (window.ethereum) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const [address] = await window.ethereum.request({ method: "eth_requestAccounts" });
    const signature = await window.ethereum.request({ method: "personal_sign", params: [hexOfUtf8(message), address] });
    form.elements.address.value = address;
    form.elements.signature.value = signature;
    form.submit();
  });
}
