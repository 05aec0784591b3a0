<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AliasHandler</name>
    <message>
        <source>the request could not be decoded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the managed alias file cannot be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no destination given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>only an administrator may point an alias at &apos;%1&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Postfix&apos;s alias_maps cannot be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias table %1 cannot be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an alias that alias-sync manages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; was created by someone else; only they or an administrator may remove it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>only an administrator may replace the managed aliases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias &apos;%1&apos; cannot be copied: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the managed aliases on %1 changed since the difference was shown; run reconcile again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the two servers&apos; managed alias files differ; an administrator must run &apos;alias-sync reconcile&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias &apos;%1&apos; already exists; choose another name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is a local user on %2; choose another name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; already exists as an alias on %2; choose another name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Postfix&apos;s virtual_alias_maps cannot be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the virtual alias table %1 cannot be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; already exists in Postfix&apos;s virtual_alias_maps on %2 (%3); choose another name</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Config</name>
    <message>
        <source>%1: cannot read the configuration file: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected &apos;key = value&apos;, found &apos;%1&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>missing setting name before &apos;=&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is set twice; keep one line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an absolute path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a port number (1 to 65535)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a lower-case local part (letters, digits, &apos;.&apos;, &apos;-&apos;, &apos;_&apos;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>invalid %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>domains is not set; list the mail domains this server serves</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a host name (letters, digits and &apos;-&apos; in labels separated by &apos;.&apos;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a host name or IP address; give the port in peer_port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a host name or IP address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an IP address or &apos;*&apos; (every address)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a valid list item; separate items with commas or spaces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown setting &apos;%1&apos;; the valid settings are: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;#&apos; in the value of &apos;%1&apos;; comments must be on their own line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server_name is not set and the host name &apos;%1&apos; is not a valid host name; set server_name to this server&apos;s host name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a duration from %2 to %3 (a number with the unit ms, s, m, h or d; seconds without one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>request_timeout (%1) must be more than twice transaction_timeout (%2), so a commit can finish before the pipe gives up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>heartbeat_timeout (%1) must be more than twice heartbeat_interval (%2), or a healthy link is closed; raise heartbeat_timeout or lower heartbeat_interval (the defaults are 30s and 10s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reconnect_max (%1) is less than reconnect_min (%2); raise reconnect_max or lower reconnect_min (the defaults are 30s and 1s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a whole number from %2 to %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a number of bytes from %2 to %3 (digits only, no unit)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConfigurePostfix</name>
    <message>
        <source>Not applied: standard input is not a terminal. Run again with --yes to apply without a prompt.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply these changes? [y/N] </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not applied; nothing was changed.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no main.cf; give the directory that contains the Postfix instance&apos;s main.cf</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the pipe command %1 is not an executable file; give the installed alias-sync-pipe with --pipe-command</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the pipe user &apos;%1&apos; does not exist; create it (useradd --system %1) or name another with --pipe-user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the pipe user &apos;%1&apos; is root or the mail system owner, which pipe(8) refuses; use an unprivileged user of its own</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--keep-alias-maps only applies with --undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>main.cf and master.cf are unchanged since configure-postfix, so their bytes from before it ran are written back instead of editing them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias-sync configure-postfix: step &apos;%1&apos; failed: %2
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every file it changed was restored; Postfix is as it was before.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restoring the saved files failed too; compare main.cf and master.cf with the copies in %1.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias-sync is no longer connected to this Postfix instance.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias-sync is connected to this Postfix instance.
</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Identity</name>
    <message>
        <source>an identity already exists in %1; remove key.pem and cert.pem there first to replace it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot create the directory %1 with mode 0700</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot read the certificate %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not contain exactly one PEM certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no private key at %1; run &apos;alias-sync init&apos; first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the private key %1 is readable by group or others (mode %2); run chmod 600 on it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot read the private key %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the private key %1 is not a valid PEM EC key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot read %1: %2; the key must belong to the user that runs the daemon (chown -R alias-sync: %3)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PostfixSetup</name>
    <message>
        <source>%1 is a virtual domain here (virtual_alias_domains or virtual_mailbox_domains), not in mydestination (%2). Postfix applies alias_maps only to domains that local(8) delivers, so aliases made by alias-sync would do nothing for it; remove it from the alias-sync domains setting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not in mydestination (%2). Postfix applies alias_maps only to domains in mydestination, so aliases made by alias-sync would do nothing for it. Add the domain to mydestination, or remove it from the alias-sync domains setting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>local_transport is &apos;%1&apos;, not local(8): mail for mydestination is delivered elsewhere (virtual mailboxes, LMTP), and Postfix consults alias_maps only in local(8). To deliver mailboxes over LMTP with aliases, keep local_transport = local and set mailbox_transport to the LMTP destination.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;postfix check&apos; fails before any change (%1); run &apos;postfix -c %2 check&apos; in a terminal (or read the mail log) to see why, fix it, and run configure-postfix again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>default_database_type is &apos;%1&apos;; alias-sync builds hash, btree, cdb and lmdb tables only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>master.cf already has a service named %1 that differs from the one alias-sync would write.
  in master.cf now: %2
  alias-sync wants: %3
If alias-sync wrote it with another --pipe-command, pass that path again, or run --undo and then configure again; otherwise rename or remove that service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>routes each designated address to the %1 pipe service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the managed alias file has no current database; it is built again, unchanged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the managed alias file, empty until the first alias is created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>first in the list, so no broader entry of another map catches the designated addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>local(8) reads the managed aliases; existing tables keep precedence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>local_recipient_maps is empty, so the SMTP server does not check local recipients and accepts the designated addresses as they are</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the SMTP server must accept the designated addresses, which are neither users nor aliases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pipe(8) gives the pipe one recipient per delivery, so ${recipient} is one argument</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias_database (%1): alias-sync builds its own database safely, and newaliases would rebuild it in place</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Postfix runs alias-sync-pipe for each request message, as the unprivileged user %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing may route mail to alias-sync any more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the master.cf service %1 does not run %2, so alias-sync did not write it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the designated addresses no longer go to alias-sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the designated addresses are no longer accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the %1 service is gone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias_maps keeps %1, so the aliases made so far keep working</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the managed aliases are no longer used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the transport map alias-sync wrote; removed after Postfix no longer uses it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the managed alias file %1 and its database stay: they are alias-sync&apos;s data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot read the Postfix configuration: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>transport_maps does not list %1; run &apos;alias-sync configure-postfix&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the database of %1 is missing or older than the file; run &apos;alias-sync configure-postfix&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>master.cf has no %1 service; run &apos;alias-sync configure-postfix&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias_maps does not list %1, so managed aliases do not deliver; run &apos;alias-sync configure-postfix&apos;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RequestMail</name>
    <message>
        <source>alias-sync on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How to ask: send a new message to %1 with the request as the whole Subject; the body is not read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>creates NAME for your own mailbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>creates NAME@%1 for your own mailbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the same for other addresses (administrators)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deletes the alias NAME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lists the aliases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME: lower-case letters a-z, digits, &apos;.&apos;, &apos;-&apos; and &apos;_&apos;, at most %1 characters; it may not start with &apos;-&apos; or &apos;.&apos;, end with &apos;.&apos;, or contain &quot;..&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It may not contain any of &quot;%1&quot; (the recipient delimiter).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DEST: a local user name or an address such as user@example.org.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alias request rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alias request rejected: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your message to %1 was not carried out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alias created: %1 (on %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias %1 has been created; it delivers to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These addresses now work:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To delete it, send a message with the Subject &quot;unalias: %1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alias deleted: %1 (on %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias %1 has been deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These addresses no longer accept mail:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alias request done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your request has been carried out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your aliases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alias request done: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your request %1 was not carried out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The destination %1 has no user name before the &apos;@&apos;; write it as user@example.org.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The destination %1 has a user name longer than 64 characters; check the address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The destination %1 contains %2; a destination may only use letters, digits and &apos;.&apos;, &apos;_&apos;, &apos;-&apos;, &apos;+&apos;, &apos;=&apos; before the &apos;@&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The destination %1 has a misplaced dot (first, last or doubled); check the address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The destination %1 starts with &apos;-&apos;; check the address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The destination %1 has an invalid domain %2; write a domain such as example.org (letters, digits, &apos;-&apos; and single dots).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name is empty; write a name after &quot;alias:&quot;, for example &quot;alias: team&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name %1 is invalid: it contains %2, the recipient delimiter of this server; choose a name without it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name %1 is invalid: it contains &apos;@&apos;; write only the part before the &apos;@&apos;, for example &quot;alias: team&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a space</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name %1 is invalid: it contains %2; use only lower-case letters a-z, digits, &apos;.&apos;, &apos;-&apos; and &apos;_&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name %1 is invalid: it is %2 characters long; use at most %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name %1 is invalid: it starts with %2; start it with a letter, a digit or &apos;_&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name %1 is invalid: it ends with &apos;.&apos;; remove the final dot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name %1 is invalid: it contains &quot;..&quot;; use single dots.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name %1 is reserved: it is the address of this service; choose another name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name %1 is reserved: names of the form owner-* and *-request belong to mailing lists; choose another name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name %1 is reserved for the mail system; choose another name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias name %1 is reserved on this server; choose another name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A destination is empty; write a local user name or an address such as user@example.org.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The destination %1 is not allowed: only local user names and addresses such as user@example.org can be destinations, never commands, files or include files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The destination %1 is not a plain address; write only the address, such as user@example.org, without quotes, names or brackets, and separate destinations with commas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The destination %1 contains more than one &apos;@&apos;; check the address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>write the request as the whole Subject, for example &quot;alias: NAME&quot;, &quot;alias: NAME -&gt; ADDRESS&quot;, &quot;unalias: NAME&quot; or &quot;aliases?&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message has an X-Alias-Sync header, so it is alias-sync&apos;s own mail; it is not read as a request.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The envelope sender is empty (a bounce or notification); such mail is never answered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The envelope sender %1 is a mail system; such mail is never answered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The envelope sender %1 is this service&apos;s own address; such mail is never answered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message was not sent with a login (no SASL user name); send the request through the authenticated submission service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message is a delivery or read report (Content-Type multipart/report); reports are never answered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message has &quot;Auto-Submitted: %1&quot;, so it was sent automatically; only requests written by a person are read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message has &quot;Precedence: %1&quot;; bulk, junk and list mail is never answered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message came through a mailing list (it has a List-Id header); send the request directly to the service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Subject %1 starts with the reply or forward prefix %2; replies are not requests, so write a new message with the request as the whole Subject.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no request in the Subject (the message has no Subject); %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no request in the Subject (the Subject is empty); %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no request in the Subject %1; %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no alias name after &quot;%1&quot;; write for example &quot;%1 team&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;unalias:&quot; takes only a name, but the Subject %1 has an arrow; write &quot;unalias: %2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your login is unknown, so &quot;alias: %1&quot; has no mailbox to point to; name a destination after &quot;-&gt;&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Subject %1 has more than one arrow; write &quot;alias: NAME -&gt; ADDRESS, ADDRESS&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no destination after &quot;-&gt;&quot; in %1; write &quot;alias: %2 -&gt; ADDRESS&quot;, or &quot;alias: %2&quot; for your own mailbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias %1 cannot point to itself; name another destination.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not your own mailbox (%2), and only an administrator may point an alias elsewhere; ask an administrator, or write &quot;alias: %3&quot; to point the alias at your own mailbox.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message has %1 Subject fields, so it is unclear which one is the request; send it again with one Subject.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message is %1 bytes, more than the %2 bytes that requests may have; send the request again as a short message without attachments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request contains the control or invisible character %1 at its start (a line break, or a character that came with pasted text); type the request again on one line in plain text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request contains the control or invisible character %1 after %2 (a line break, or a character that came with pasted text); type the request again on one line in plain text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Subject %1 has %2 after the name where the arrow belongs; write the arrow as a hyphen and a greater-than sign, for example &quot;alias: %3 -&gt; ADDRESS, ADDRESS&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The alias %1 has the name of your own mailbox, so it would point to itself; choose another name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Message-ID %1 is one that alias-sync writes, so the message is alias-sync&apos;s own mail. It is not read as a request.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RequestServer</name>
    <message>
        <source>You have no aliases managed by alias-sync.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your aliases:

%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You have sent %1 requests within %2, the most this service takes from one login in that time, so this one was not carried out. Further requests before %3 are dropped without a reply. Send this one again after that time.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SetupApply</name>
    <message>
        <source>cannot remove %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failure injected by ALIAS_SYNC_TEST_FAIL_STEP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot create the backup directory %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>saved main.cf and master.cf in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wrote %1 and built %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>removed %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>removed %1 from main.cf</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>set %1 = %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>removed the master.cf service %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>added the master.cf service %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>restored main.cf and master.cf to their bytes from before configure-postfix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>postfix check warned: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (run &apos;postfix -c %1 check&apos; in a terminal, or read the mail log, for its findings)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>postfix check found no problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Postfix is not running: not reloaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reloaded Postfix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; restoring the saved files also failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SetupPlan</name>
    <message>
        <source>(empty)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing alias-sync from the Postfix instance in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting alias-sync to the Postfix instance in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
Cannot continue: %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
Remove the file %1
  why: %2
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
Write the file %1
  why: %2
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  then build %1 with %2
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
main.cf: %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  now:  %1%2
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (built-in default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  then: (removed from main.cf: back to the built-in default)
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  then: %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  why:  %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
master.cf: service %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  now:  %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  then: (removed)
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
Left alone:
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
Nothing to change.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
Postfix is running: it will be reloaded after every step succeeded.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
Postfix is not running: it will not be started or reloaded.
</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>alias</name>
    <message>
        <source>usage: alias-sync alias add NAME DEST... | alias-sync alias remove NAME | alias-sync alias list [--long]
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;alias add&apos; needs a name and at least one destination</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>created %1 -&gt; %2 (transaction %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;alias remove&apos; takes exactly one name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>removed %1 (transaction %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;alias list&apos; takes no arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias-sync alias list: invalid reply from the daemon: no list of aliases
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ALIAS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CREATED BY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CREATED AT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SERVER</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TRANSACTION</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>managed aliases: %1 (fingerprint %2)
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot reach the alias-sync daemon through its control socket: %2
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2; the outcome is unknown, check with &apos;alias-sync alias list&apos; before trying again
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the daemon could not handle the request: %2
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: rejected: %2
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: failed temporarily: %2; try again later
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: invalid reply from the daemon (outcome &apos;%2&apos;); the outcome is unknown, check with &apos;alias-sync alias list&apos; before trying again
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>missing subcommand</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown subcommand &apos;%1&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias-sync alias: user id %1 has no name in the user database; run the command as a named user
</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>aliases</name>
    <message>
        <source>alias-sync aliases: cannot read %1: %2
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>usage: alias-sync aliases show FILE | alias-sync aliases fingerprint FILE
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias-sync aliases: %1 is not a regular file; name an alias file
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias-sync aliases: unknown command &apos;%1&apos;
</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>aliassync::AliasFile</name>
    <message>
        <source>field %1 is not key=value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key %1 appears twice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>malformed percent-encoding in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key %1 has an empty value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>created-at %1 is not a time of the form YYYY-MM-DDTHH:MM:SSZ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>missing %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>logical line must not start with white space; ignored (it continues nothing)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>non-UTF-8 input; line ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>text after a NUL byte is ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>need name:value pair; line ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>name must be local; line ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>malformed alias-sync metadata line (%1); entry %2 is treated as unmanaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>duplicate entry %1 ignored; the definition at line %2 wins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias-sync metadata line is not directly above an alias entry; ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot open: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias name is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias name %1 is not valid UTF-8</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias name %1 contains a control character</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias name %1 contains white space</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias name %1 contains &apos;:&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias name %1 contains &apos;#&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias name %1 starts with &apos;|&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias name %1 starts with &apos;/&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias name %1 contains &apos;%2&apos;, which is not allowed in a local name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a destination is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the destination %1 is not valid UTF-8</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the destination %1 contains a control character</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the destination %1 contains white space</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the destination %1 would deliver to a command</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the destination %1 would deliver to a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the destination %1 would include a file of addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the destination %1 contains &apos;#&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the destination %1 contains &apos;%2&apos;, which is not allowed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias %1 has no destination</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the metadata of alias %1 has an empty %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the metadata of alias %1 has no valid creation time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias %1 is already present at %2 line %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias %1 would not read back as written; not added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>there is no alias %1 in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the alias %1 at %2 line %3 is not managed by alias-sync; not removed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>aliassync::AtomicFile</name>
    <message>
        <source>%1: %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot write a file with an empty name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot resolve symbolic link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not a regular file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot stat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot create temporary file in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot write temporary file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot set owner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot set mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot fsync temporary file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot close temporary file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot rename temporary file into place</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>config</name>
    <message>
        <source>alias-sync config: unknown setting &apos;%1&apos;; the valid settings are: %2
</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>init</name>
    <message>
        <source>Created the identity of %1 in %2.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate fingerprint (SHA-256):
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy %1 to the other server and run &apos;alias-sync peer pin FILE&apos; there.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias-sync init: warning: running as root, so the key will belong to root; run it as the daemon&apos;s user (runuser -u alias-sync -- alias-sync init) or chown the identity directory afterwards
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The identity in %1 exists; kept it.
</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Keeps the managed e-mail aliases of two Postfix servers identical.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the settings from &lt;file&gt; (default %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The command to run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias-sync: unknown command or arguments: %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>configure-postfix: remove what it added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>configure-postfix --undo: keep the managed aliases in alias_maps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>configure-postfix: the Postfix instance whose config_directory is &lt;dir&gt;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>configure-postfix: path of alias-sync-pipe in master.cf (default %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>configure-postfix: the user the pipe runs as (default alias-sync-pipe).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>init: do nothing when the identity exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commands:
  init              create this server&apos;s key and certificate, print its fingerprint
                    (--if-absent: keep an identity that exists)
  peer pin FILE     pin the other server&apos;s certificate (PEM)
  peer show         print both fingerprints
  daemon            run the service (logs to standard error)
  status            print the state; exit 0 OK, 1 warning, 2 critical, 3 unknown
  configure-postfix show and make the Postfix changes alias-sync needs (--undo: remove them)
  config [KEY...]   print the settings in effect, defaults included
  aliases show FILE print each name Postfix answers for in an alias file, with its value
  aliases fingerprint FILE
                    print the fingerprint of the file&apos;s managed entries
  alias add NAME DEST...
                    create a managed alias on both servers, through the daemon
  alias remove NAME remove a managed alias from both servers
  alias list        print the managed aliases (--long: with their metadata)
  reconcile         show how the two servers&apos; managed aliases differ; with
                    --from this|peer copy one side&apos;s to the other (--yes: without
                    asking; --dry-run: show only, exit 0 identical, 1 different)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>configure-postfix, reconcile: apply without asking.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>configure-postfix, reconcile: print the changes only; exit 0 none, 1 pending (configure-postfix: 2 error).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias list: also print who created each alias, when, on which server, and its transaction id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reconcile: copy the managed aliases of &lt;side&gt; (this or peer) to the other server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>side</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peer</name>
    <message>
        <source>%1 is this server&apos;s own certificate; pin the other server&apos;s certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pinned the peer certificate of %1:
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare this fingerprint with the one &apos;alias-sync init&apos; printed on the other server.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this server: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pinned peer: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>usage: alias-sync peer pin FILE | alias-sync peer show
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; run &apos;alias-sync peer pin FILE&apos; with the other server&apos;s certificate</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>pipe</name>
    <message>
        <source>Reads one request message on standard input, as Postfix&apos;s pipe(8) delivers it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the settings from &lt;file&gt;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Envelope sender (${sender}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Envelope recipient (${recipient}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Original recipient (${original_recipient}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SASL login Postfix recorded (${sasl_username}); empty when unauthenticated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Postfix queue id (${queue_id}), for log lines.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print the decision and the reply instead of contacting the daemon.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>reconcile</name>
    <message>
        <source>txid=%1 created-by=%2 created-at=%3 server=%4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this server (%1): managed aliases: %2, fingerprint %3
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peer (%1): managed aliases: %2, fingerprint %3
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The managed aliases of %1 and %2 are identical.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>only on %1 (this server):
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>only on %1 (peer):
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>different on the two servers:
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The fingerprints differ, but the entries listed are the same.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not copied: standard input is not a terminal; run &apos;%1 --from %2 --yes&apos; to copy without the question
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the managed aliases of %1 to %2? [y/N] </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not copied; nothing was changed.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: invalid --from &apos;%2&apos;; name the side to copy: --from this or --from peer
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: invalid reply from the daemon: the local or the peer side is missing
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To copy one side&apos;s managed aliases to the other, run &apos;%1 --from this&apos; or &apos;%1 --from peer&apos;.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied the managed aliases of %1 to %2 (transaction %3).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>status</name>
    <message>
        <source>(none: %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no identity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no pinned peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown (daemon not reachable: %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>daemon not reachable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>up (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peer link down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 transactions pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peer link up, nothing pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server:            %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peer link:         %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this certificate:  %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pinned peer:       %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pending transactions: %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>managed aliases:   %1 (fingerprint %2)
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown (daemon not reachable)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Postfix integration broken</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Postfix integration: %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>complete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DIVERGED: the managed aliases differ from the peer&apos;s; run &apos;alias-sync reconcile&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peer aliases:      fingerprint %1, %2 transactions pending
</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
