#include "opensslbackend.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace aliassync {

namespace {

struct OpenSslDeleter {
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
    void operator()(X509 *certificate) const { X509_free(certificate); }
    void operator()(BIGNUM *number) const { BN_free(number); }
    void operator()(BIO *bio) const { BIO_free(bio); }
    void operator()(X509_EXTENSION *extension) const { X509_EXTENSION_free(extension); }
};
template<typename T>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter>;

// Names the failed step and appends OpenSSL's own error queue text.
QString failure(const char *step)
{
    QString text = QStringLiteral("%1 failed").arg(QLatin1String(step));
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text += QStringLiteral(": ") + QLatin1String(buffer);
    }
    return text;
}

QByteArray readBio(BIO *bio)
{
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return QByteArray(data, int(length));
}

bool addExtension(X509 *certificate, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    OpenSslPtr<X509_EXTENSION> extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

} // namespace

std::optional<GeneratedIdentity> OpenSslIdentityBackend::generate(const QString &commonName, int validDays, QString *error)
{
    OpenSslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) {
        *error = failure("generating the P-256 key");
        return std::nullopt;
    }

    OpenSslPtr<X509> certificate(X509_new());
    OpenSslPtr<BIGNUM> serial(BN_new());
    if (!certificate || !serial || X509_set_version(certificate.get(), 2) != 1
        || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1
        || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get()))) {
        *error = failure("creating the certificate serial number");
        return std::nullopt;
    }

    // One hour of back-dating tolerates a peer whose clock is slightly behind.
    if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600)
        || !X509_gmtime_adj(X509_getm_notAfter(certificate.get()), long(validDays) * 24 * 3600)
        || X509_set_pubkey(certificate.get(), key.get()) != 1) {
        *error = failure("setting the validity and public key");
        return std::nullopt;
    }

    const QByteArray name = commonName.toUtf8();
    X509_NAME *subject = X509_get_subject_name(certificate.get());
    if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char *>(name.constData()), -1, -1, 0) != 1
        || X509_set_issuer_name(certificate.get(), subject) != 1) {
        *error = failure("setting the subject name");
        return std::nullopt;
    }

    // The peer connects with the common name as its expected host name, so
    // the name must also be a subjectAltName: TLS clients ignore the CN.
    const QByteArray altName = "DNS:" + name;
    if (!addExtension(certificate.get(), NID_subject_alt_name, altName.constData())
        || !addExtension(certificate.get(), NID_subject_key_identifier, "hash")
        || !addExtension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE")
        || !addExtension(certificate.get(), NID_key_usage, "critical,digitalSignature")
        || !addExtension(certificate.get(), NID_ext_key_usage, "serverAuth,clientAuth")) {
        *error = failure("adding the certificate extensions");
        return std::nullopt;
    }

    if (X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0) {
        *error = failure("signing the certificate");
        return std::nullopt;
    }

    OpenSslPtr<BIO> keyBio(BIO_new(BIO_s_mem()));
    OpenSslPtr<BIO> certificateBio(BIO_new(BIO_s_mem()));
    if (!keyBio || !certificateBio
        || PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1
        || PEM_write_bio_X509(certificateBio.get(), certificate.get()) != 1) {
        *error = failure("encoding the key and certificate as PEM");
        return std::nullopt;
    }

    return GeneratedIdentity{readBio(keyBio.get()), readBio(certificateBio.get())};
}

} // namespace aliassync
