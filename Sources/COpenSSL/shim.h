#ifndef MAWS_COPENSSL_SHIM_H
#define MAWS_COPENSSL_SHIM_H

// OpenSSL 3 declarations, for types and constants only: nothing here links libcrypto.
// MawsCore opens libcrypto with dlopen on first use; each typedef below is the pointer type of
// the real prototype, so a dlsym'd symbol is called with exactly the signature the header declares.
#include <openssl/evp.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/kdf.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#define MAWS_SSL_FN(name) typedef __typeof__(&name) maws_##name##_fn;
MAWS_SSL_FN(RAND_bytes)
MAWS_SSL_FN(EVP_sha256)
MAWS_SSL_FN(EVP_Digest)
MAWS_SSL_FN(HMAC)
MAWS_SSL_FN(BN_bin2bn)
MAWS_SSL_FN(BN_bn2bin)
MAWS_SSL_FN(BN_num_bits)
MAWS_SSL_FN(BN_free)
MAWS_SSL_FN(OSSL_PARAM_BLD_new)
MAWS_SSL_FN(OSSL_PARAM_BLD_push_BN)
MAWS_SSL_FN(OSSL_PARAM_BLD_to_param)
MAWS_SSL_FN(OSSL_PARAM_BLD_free)
MAWS_SSL_FN(OSSL_PARAM_free)
MAWS_SSL_FN(EVP_PKEY_CTX_new_from_name)
MAWS_SSL_FN(EVP_PKEY_CTX_free)
MAWS_SSL_FN(EVP_PKEY_fromdata_init)
MAWS_SSL_FN(EVP_PKEY_fromdata)
MAWS_SSL_FN(EVP_PKEY_get_bits)
MAWS_SSL_FN(EVP_PKEY_get_bn_param)
MAWS_SSL_FN(EVP_PKEY_keygen_init)
MAWS_SSL_FN(EVP_PKEY_CTX_set_rsa_keygen_bits)
MAWS_SSL_FN(EVP_PKEY_generate)
MAWS_SSL_FN(EVP_PKEY_free)
MAWS_SSL_FN(EVP_MD_CTX_new)
MAWS_SSL_FN(EVP_MD_CTX_free)
MAWS_SSL_FN(EVP_DigestVerifyInit)
MAWS_SSL_FN(EVP_DigestVerify)
MAWS_SSL_FN(EVP_DigestSignInit)
MAWS_SSL_FN(EVP_DigestSign)
MAWS_SSL_FN(ERR_clear_error)
MAWS_SSL_FN(EVP_aes_256_gcm)
MAWS_SSL_FN(EVP_CIPHER_CTX_new)
MAWS_SSL_FN(EVP_CIPHER_CTX_free)
MAWS_SSL_FN(EVP_CIPHER_CTX_ctrl)
MAWS_SSL_FN(EVP_EncryptInit_ex)
MAWS_SSL_FN(EVP_EncryptUpdate)
MAWS_SSL_FN(EVP_EncryptFinal_ex)
MAWS_SSL_FN(EVP_DecryptInit_ex)
MAWS_SSL_FN(EVP_DecryptUpdate)
MAWS_SSL_FN(EVP_DecryptFinal_ex)
MAWS_SSL_FN(EVP_PBE_scrypt)
MAWS_SSL_FN(OPENSSL_cleanse)
#undef MAWS_SSL_FN

// Composite macros Swift cannot import.
static const int MAWS_EVP_PKEY_PUBLIC_KEY = EVP_PKEY_PUBLIC_KEY;
static const int MAWS_EVP_CTRL_GCM_SET_IVLEN = EVP_CTRL_GCM_SET_IVLEN;
static const int MAWS_EVP_CTRL_GCM_GET_TAG = EVP_CTRL_GCM_GET_TAG;
static const int MAWS_EVP_CTRL_GCM_SET_TAG = EVP_CTRL_GCM_SET_TAG;

#endif
